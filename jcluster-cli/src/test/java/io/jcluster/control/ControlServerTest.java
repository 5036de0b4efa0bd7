package io.jcluster.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcluster.contract.CliException;
import io.jcluster.contract.ExitCode;
import io.jcluster.registry.Entry;
import io.jcluster.registry.Registry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The control socket in-process: requests, errors, progress frames, timeouts and the registry around it. */
class ControlServerTest {
    @TempDir
    Path home;

    private Entry entry(Registry r, String name) {
        return new Entry(name, ProcessHandle.current().pid(),
                ProcessHandle.current().info().startInstant().map(Instant::toString).orElse(null), Instant.now().toString(),
                r.socket(name).toString(), home.toString(), "app.jar", 1, "running", null);
    }

    @Test
    void answersErrorsAndProgress() throws Exception {
        Registry registry = new Registry(home).ensure();
        try (ControlServer server = ControlServer.start(registry.socket("c"), (cmd, args, progress, hangup) -> {
            switch (cmd) {
                case "echo":
                    return args;
                case "steps":
                    for (int i = 1; i <= 3; i++) {
                        progress.accept(JsonNodeFactory.instance.objectNode().put("done", i));
                    }
                    return JsonNodeFactory.instance.objectNode().put("finished", true);
                case "slow":
                    Thread.sleep(5000);
                    return null;
                default:
                    throw new ControlException("unknown command '" + cmd + "'");
            }
        })) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(registry.socket("c")))).isEqualTo("rw-------");
            registry.write(entry(registry, "c"));
            try (ControlClient c = ControlClient.connect(registry, "c")) {
                ObjectNode args = JsonNodeFactory.instance.objectNode().put("x", 1);
                assertThat(c.request("echo", args, null, Duration.ofSeconds(5))).isEqualTo(args);
                List<Integer> seen = new ArrayList<>();
                JsonNode done = c.request("steps", null, p -> seen.add(p.get("done").asInt()), Duration.ofSeconds(5));
                assertThat(seen).containsExactly(1, 2, 3);
                assertThat(done.get("finished").asBoolean()).isTrue();
                assertThatThrownBy(() -> c.request("nope", null, null, Duration.ofSeconds(5)))
                        .isInstanceOf(ControlException.class).hasMessage("unknown command 'nope'");
                assertThat(c.request("echo", args, null, Duration.ofSeconds(5))).as("the connection still works").isEqualTo(args);
            }
            try (ControlClient c = ControlClient.connect(registry, "c")) {
                assertThatThrownBy(() -> c.request("slow", null, null, Duration.ofMillis(200)))
                        .isInstanceOf(CliException.class).hasMessageContaining("did not answer 'slow' within 200ms")
                        .satisfies(e -> assertThat(((CliException) e).exit()).isEqualTo(ExitCode.TIMEOUT));
            }
        }
        assertThat(registry.socket("c")).doesNotExist();
    }

    @Test
    void aNameIsClaimedOnceAndReleased() throws Exception {
        Registry registry = new Registry(home.resolve("reg"));
        Registry.Claim claim = registry.claim("app");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("reg")))).isEqualTo("rwx------");
        assertThatThrownBy(() -> registry.claim("app")).isInstanceOf(CliException.class)
                .hasMessageContaining("already running").satisfies(e -> assertThat(((CliException) e).exit()).isEqualTo(ExitCode.NAME_IN_USE));
        registry.release(claim);
        registry.release(registry.claim("app"));
    }

    @Test
    void anEntryOfADeadProcessIsStaleAndRemoved() throws Exception {
        Registry registry = new Registry(home).ensure();
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        Entry e = entry(registry, "d");
        registry.write(new Entry("d", p.pid(), null, e.started(), e.socket(), e.logDir(), e.app(), 1, "running", null));
        Files.createFile(registry.socket("d"));
        assertThat(registry.list()).extracting(Entry::name).containsExactly("d");
        assertThatThrownBy(() -> ControlClient.connect(registry, "d")).isInstanceOf(CliException.class)
                .satisfies(x -> assertThat(((CliException) x).exit()).isEqualTo(ExitCode.STALE));
        assertThat(registry.socket("d")).doesNotExist();
        assertThat(registry.list()).isEmpty();
        assertThatThrownBy(() -> registry.live("d")).isInstanceOf(CliException.class)
                .satisfies(x -> assertThat(((CliException) x).exit()).isEqualTo(ExitCode.NO_SUCH_CLUSTER));
    }
}
