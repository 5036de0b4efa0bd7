package io.jcluster.launch;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.jcluster.cluster.RestartPolicy;
import io.jcluster.contract.CliException;
import io.jcluster.contract.ExitCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StartSpecTest {
    @TempDir
    Path dir;

    @Test
    void defaults() {
        StartSpec s = new StartSpec();
        assertThat(s.instanceCount()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(s.restartPolicy()).isEqualTo(RestartPolicy.BACKOFF);
        assertThat(s.drainTimeout).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.hangTimeout).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void aConfigFileSetsEveryKindOfValue() throws Exception {
        Path cfg = dir.resolve("conf").resolve("web.yml");
        Files.createDirectories(cfg.getParent());
        Files.writeString(cfg, String.join("\n",
                "name: web",
                "app: build/app.jar",
                "classpath: lib/*:extra",
                "instances: 3",
                "args: [--port, 8080]",
                "jvm-args: -Xmx256m -Dx=y",
                "env: {MODE: prod, LEVEL: 2}",
                "max-memory: 512M",
                "max-requests: 1000",
                "max-requests-jitter: 50",
                "hang-timeout: 10s",
                "ready-timeout: 20s",
                "drain-timeout: 5s",
                "reload-parallel: 2",
                "autorestart: true",
                "restart-delay: 200ms",
                "restart-backoff: 3",
                "restart-max-delay: 1m",
                "restart-reset-after: 30s",
                "max-restarts: 4",
                "restart-window: 2m",
                "log-dir: logs",
                "log-max-size: 1M",
                "log-max-files: 3",
                "daemon: false", ""));
        StartSpec s = new StartSpec().load(cfg);
        Path base = cfg.getParent();
        assertThat(s.name).isEqualTo("web");
        assertThat(s.jar).isEqualTo(base.resolve("build/app.jar"));
        assertThat(s.classpath).isEqualTo(base.resolve("lib/*") + ":" + base.resolve("extra"));
        assertThat(s.instanceCount()).isEqualTo(3);
        assertThat(s.args).containsExactly("--port", "8080");
        assertThat(s.jvmArgs).containsExactly("-Xmx256m", "-Dx=y");
        assertThat(s.env).isEqualTo(Map.of("MODE", "prod", "LEVEL", "2"));
        assertThat(s.maxMemory).isEqualTo(512L << 20);
        assertThat(s.maxRequests).isEqualTo(1000);
        assertThat(s.maxRequestsJitter).isEqualTo(50);
        assertThat(s.hangTimeout).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.readyTimeout).isEqualTo(Duration.ofSeconds(20));
        assertThat(s.drainTimeout).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.reloadParallel).isEqualTo(2);
        assertThat(s.restartPolicy()).isEqualTo(new RestartPolicy(true, Duration.ofMillis(200), 3, Duration.ofMinutes(1),
                Duration.ofSeconds(30), 4, Duration.ofMinutes(2)));
        assertThat(s.logDir).isEqualTo(base.resolve("logs"));
        assertThat(s.logMaxSize).isEqualTo(1L << 20);
        assertThat(s.logMaxFiles).isEqualTo(3);
        assertThat(s.daemon).isFalse();
    }

    @Test
    void flagsSetAfterTheFileWin() throws Exception {
        Path cfg = dir.resolve("c.yml");
        Files.writeString(cfg, "instances: 3\nmax-requests: 100\nautorestart: true\n");
        StartSpec s = new StartSpec().load(cfg);
        s.set("instances", JsonNodeFactory.instance.textNode("max"), dir, "--instances");
        s.set("autorestart", JsonNodeFactory.instance.textNode("false"), dir, "--autorestart");
        assertThat(s.instances).isEqualTo("max");
        assertThat(s.maxRequests).isEqualTo(100);
        assertThat(s.restartPolicy()).isEqualTo(RestartPolicy.NEVER);
    }

    @Test
    void envFromFlagsIsKeyEqualsValue() {
        StartSpec s = new StartSpec();
        s.set("env", JsonNodeFactory.instance.arrayNode().add("A=1").add("B=x=y"), dir, "--env");
        assertThat(s.env).isEqualTo(Map.of("A", "1", "B", "x=y"));
        assertThatThrownBy(() -> s.set("env", JsonNodeFactory.instance.arrayNode().add("nope"), dir, "--env"))
                .hasMessageContaining("not KEY=VALUE");
    }

    @Test
    void badValuesNameTheirKeyAndAreUsageErrors() throws Exception {
        Path cfg = dir.resolve("c.yml");
        for (String[] bad : List.of(new String[] {"instances: none", "instances"}, new String[] {"instances: 0", "at least 1"},
                new String[] {"max-memory: lots", "not a size"}, new String[] {"hang-timeout: later", "not a duration"},
                new String[] {"autorestart: maybe", "not true or false"}, new String[] {"restart-backoff: 0.5", "at least 1"},
                new String[] {"args: {a: 1}", "expected a single value"}, new String[] {"colour: blue", "unknown key 'colour'"},
                new String[] {"name: a b", "not a valid cluster name"})) {
            Files.writeString(cfg, bad[0] + "\n");
            assertThatThrownBy(() -> new StartSpec().load(cfg)).isInstanceOf(CliException.class)
                    .hasMessageContaining(bad[1]).satisfies(e -> assertThat(((CliException) e).exit()).isEqualTo(ExitCode.USAGE));
        }
    }

    @Test
    void hangTimeoutOff() {
        StartSpec s = new StartSpec();
        s.set("hang-timeout", JsonNodeFactory.instance.textNode("off"), dir, "--hang-timeout");
        assertThat(s.hangTimeout).isZero();
    }

    @Test
    void anEmptyFileChangesNothing() throws Exception {
        Path cfg = dir.resolve("c.yml");
        Files.writeString(cfg, "");
        assertThat(new StartSpec().load(cfg).instances).isEqualTo("max");
    }

    @Test
    void theAdminSettingsFromFlagsOrTheContractsConfigKeys() throws Exception {
        StartSpec s = new StartSpec();
        assertThat(s.admin).isNull();
        assertThat(s.minReady).isEqualTo(1);
        Path cfg = dir.resolve("admin.yml");
        Files.writeString(cfg, "admin: 0.0.0.0:9100\nadminToken: abc\nminReady: 3\n");
        s.load(cfg);
        assertThat(s.admin).isEqualTo(new io.jcluster.admin.AdminAddress("0.0.0.0", 9100));
        assertThat(s.adminToken).isEqualTo("abc");
        assertThat(s.minReady).isEqualTo(3);
        s.set("admin", JsonNodeFactory.instance.textNode("off"), dir, "--admin");
        assertThat(s.admin).isNull();
        s.set("admin", JsonNodeFactory.instance.textNode("9200"), dir, "--admin");
        assertThat(s.admin).isEqualTo(new io.jcluster.admin.AdminAddress("127.0.0.1", 9200));
        s.set("min-ready", JsonNodeFactory.instance.textNode("2"), dir, "--min-ready");
        assertThat(s.minReady).isEqualTo(2);
        assertThatThrownBy(() -> s.set("admin", JsonNodeFactory.instance.textNode("nine"), dir, "--admin"))
                .isInstanceOf(CliException.class).hasMessageContaining("bad value for --admin").hasMessageContaining("'nine'");
        assertThatThrownBy(() -> s.set("min-ready", JsonNodeFactory.instance.textNode("0"), dir, "--min-ready"))
                .isInstanceOf(CliException.class).hasMessageContaining("--min-ready");
        assertThatThrownBy(() -> s.set("admin-token", JsonNodeFactory.instance.textNode(" "), dir, "--admin-token"))
                .isInstanceOf(CliException.class).hasMessageContaining("must not be empty");
    }

    @Test
    void anInstanceRangeIsAdaptiveAndStartsAtItsMinimumAndSparesAreCounted() {
        StartSpec s = new StartSpec();
        s.set("instances", JsonNodeFactory.instance.textNode("2..8"), dir, "--instances");
        s.set("spares", JsonNodeFactory.instance.textNode("1"), dir, "--spares");
        assertThat(s.adaptive()).isTrue();
        assertThat(s.instanceCount()).isEqualTo(2);
        assertThat(s.maxInstances()).isEqualTo(8);
        assertThat(s.plannedWorkers()).as("the memory split's divisor").isEqualTo(9);
        assertThat(s.fleetSpec().adaptive()).isTrue();
        assertThat(s.fleetSpec().spares()).isEqualTo(1);
        s.set("instances", JsonNodeFactory.instance.textNode("3..3"), dir, "--instances");
        assertThat(s.adaptive()).isFalse();
        assertThat(s.instances).isEqualTo("3");
        s.set("instances", JsonNodeFactory.instance.textNode("1..max"), dir, "--instances");
        assertThat(s.maxInstances()).isEqualTo(Runtime.getRuntime().availableProcessors());
        for (String bad : List.of("8..2", "0..2", "max..4", "2..", "a..b")) {
            assertThatThrownBy(() -> s.set("instances", JsonNodeFactory.instance.textNode(bad), dir, "--instances"))
                    .as(bad).isInstanceOf(CliException.class).hasMessageStartingWith("bad value for --instances");
        }
        assertThatThrownBy(() -> s.set("spares", JsonNodeFactory.instance.textNode("-1"), dir, "--spares"))
                .isInstanceOf(CliException.class).hasMessageContaining("must not be negative");
    }
}
