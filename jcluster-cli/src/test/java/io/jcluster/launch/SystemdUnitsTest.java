package io.jcluster.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SystemdUnitsTest {
    private static SystemdUnits.Inputs inputs(List<String> listens) {
        return new SystemdUnits.Inputs("web", List.of("/opt/jcluster/bin/jcluster"),
                List.of("--name", "web", "--config", "/srv/web/web config.yml"), Path.of("/srv/web"), "svc",
                "/usr/lib/jvm/java/bin:/usr/bin:/bin", List.of("JCLUSTER_HOME=/var/lib/jcluster"),
                List.of(Path.of("/var/lib/jcluster"), Path.of("/home/svc/.cache/jcluster")), Duration.ofSeconds(30),
                Duration.ofSeconds(60), listens);
    }

    @Test
    void theServiceRunsThePrimaryInTheForegroundAndStopsAsItDrains() {
        String unit = SystemdUnits.service(inputs(List.of("8080")));
        assertThat(unit.lines()).contains(
                "Type=exec",
                "User=svc",
                "WorkingDirectory=/srv/web",
                "ExecStart=/opt/jcluster/bin/jcluster start --name web --config \"/srv/web/web config.yml\"",
                "ExecReload=/opt/jcluster/bin/jcluster reload web",
                "KillMode=mixed",
                "KillSignal=SIGTERM",
                "TimeoutStopSec=45", // the drain timeout, 30 s, and 15 s for the primary to see its workers out
                "TimeoutStartSec=90",
                "Restart=on-failure",
                "Environment=JCLUSTER_HOME=/var/lib/jcluster",
                "Requires=web.socket",
                "NoNewPrivileges=yes",
                "ProtectSystem=strict",
                "ReadWritePaths=-/var/lib/jcluster -/home/svc/.cache/jcluster",
                "SuccessExitStatus=143",
                "WantedBy=multi-user.target");
        assertThat(unit.lines()).as("a JIT writes code").noneMatch(l -> l.startsWith("MemoryDenyWriteExecute"));
        assertThat(unit.lines()).filteredOn(l -> l.startsWith("[")).containsExactly("[Unit]", "[Service]", "[Install]");
    }

    @Test
    void theSocketUnitHoldsEachPortForTheService() {
        String unit = SystemdUnits.socket(inputs(List.of("8080", "127.0.0.1:9090")));
        assertThat(unit.lines()).contains("[Socket]", "ListenStream=8080", "ListenStream=127.0.0.1:9090",
                "Service=web.service", "Backlog=511", "WantedBy=sockets.target");
    }

    @Test
    void withoutASocketTheServiceNeedsNone() {
        assertThat(SystemdUnits.service(inputs(List.of()))).doesNotContain("web.socket");
    }

    @Test
    void wordsAreQuotedAsSystemdReadsThem() {
        assertThat(SystemdUnits.quote("plain")).isEqualTo("plain");
        assertThat(SystemdUnits.quote("a b")).isEqualTo("\"a b\"");
        assertThat(SystemdUnits.quote("50%")).isEqualTo("50%%");
        assertThat(SystemdUnits.quote("$HOME")).isEqualTo("\"$$HOME\"");
        assertThat(SystemdUnits.quote("say \"hi\"")).isEqualTo("\"say \\\"hi\\\"\"");
        assertThat(SystemdUnits.quote("")).isEqualTo("\"\"");
    }

    @Test
    void theSocketUnitsPortDefaultsToTheOneTheAppIsTold() {
        StartSpec spec = new StartSpec();
        spec.args = List.of("--server.port=8081");
        assertThat(SystemdUnits.expectedPort(spec)).isEqualTo("8081");
        spec.args = List.of();
        assertThat(SystemdUnits.expectedPort(spec)).isNull();
    }
}
