package io.jcluster.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jcluster.contract.ExitCode;
import io.jcluster.testkit.RealProcess;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17: {@code bin/jcluster}'s first run (no class data archive yet: it waits for java to move the archive into
 * place) passes the signals sent to its own pid on to the primary, and its exit status is the primary's.
 */
@Timeout(300)
class WrapperSignalsIT {
    @TempDir
    Path home;

    @Test
    void theFirstRunPassesSignalsSentToTheWrapperAloneOnToThePrimary() throws Exception {
        Path cds = Files.createDirectories(home.resolve("cds")); // fresh: the branch that writes an archive
        Jcluster cli = new Jcluster(home);
        try (Jcluster.Running wrapper = cli.startScript(Map.of("JCLUSTER_CDS_DIR", cds.toString()),
                Jcluster.testApp("wrapped", 2, "--", "--port", "0"))) {
            int port = wrapper.awaitUp();
            List<ProcessHandle> tree = new ArrayList<>(wrapper.descendants()); // remembered: reaped by close() whatever happens
            ProcessHandle primary = wrapper.process.toHandle().children().findFirst().orElseThrow();
            assertThat(primary.info().command().orElse("")).endsWith("java");
            assertThat(tree).hasSize(3); // the primary and its 2 workers

            assertThat(RealProcess.signal(wrapper.process.pid(), "HUP")).isTrue(); // the wrapper's pid alone
            wrapper.await("reload done: 2 worker\\(s\\) replaced; generation 2 serving", Duration.ofSeconds(120));
            tree.addAll(wrapper.descendants());

            assertThat(RealProcess.signal(wrapper.process.pid(), "TERM")).isTrue();
            assertThat(wrapper.waitExit(Duration.ofSeconds(120))).as("the primary's status after a graceful stop").isZero();
            assertThat(wrapper.output()).contains("SIGTERM received: stopping gracefully");
            await().atMost(Duration.ofSeconds(10)).until(() -> tree.stream().allMatch(p -> RealProcess.gone(p.pid())));
            try (ServerSocket again = new ServerSocket()) {
                again.bind(new InetSocketAddress(port));
                assertThat(again.getLocalPort()).as("the port is free").isEqualTo(port);
            }
            assertThat(list(cds)).as("the archive moved into place, no partial one left").hasSize(1)
                    .allMatch(f -> f.matches("cli-[0-9a-f]+\\.jsa"));
        }
    }

    @Test
    void theFirstRunExitsWithTheCommandsStatus() throws Exception {
        Path cds = Files.createDirectories(home.resolve("cds-status"));
        Jcluster cli = new Jcluster(home);
        try (Jcluster.Running wrapper = cli.startScript(Map.of("JCLUSTER_CDS_DIR", cds.toString()), List.of("status", "ghost"))) {
            assertThat(wrapper.waitExit(Duration.ofSeconds(120))).isEqualTo(ExitCode.NO_SUCH_CLUSTER.code());
            assertThat(wrapper.output()).contains("no cluster named ghost is running");
        }
        assertThat(list(cds)).noneMatch(f -> f.endsWith(".partial"));
    }

    private static List<String> list(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }
}
