package io.jcluster.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 17: {@code logs --follow} across log rotations: every line written while it follows appears, once, in order. */
@Timeout(120)
class LogsFollowIT {
    private static final Pattern LINE = Pattern.compile("\\[worker 1 \\d+] line 1 (\\d+) of worker 1 padding");

    @TempDir
    Path home;

    @Test
    void followShowsEveryLineWrittenAcrossRotations() throws Exception {
        Jcluster cli = new Jcluster(home);
        int n = 3000; // ~390 KB in the merged file: several rotations at 64 KB
        try (Jcluster.Running primary = cli.startQuiet(Jcluster.testApp("roll", 1, "--log-max-size", "64K", "--",
                "--port", "0"))) {
            int port = primary.awaitUp();
            primary.descendants();
            Path merged = home.resolve("logs").resolve("roll").resolve("roll.log");
            try (Jcluster.Running follow = cli.start(List.of("logs", "roll", "--follow", "--lines", "0"))) {
                // The follower is reading once a line written after its start shows up.
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    assertThat(cli.run("send", "roll", "{\"mark\":1}").exit()).isZero();
                    follow.await("TestApp \\d+ got message \\{\"mark\":1}", Duration.ofSeconds(2));
                });
                assertThat(RawHttp.get(port, "/print?n=" + n).status()).isEqualTo(200);
                org.awaitility.Awaitility.await().alias("roll.log rotated at least twice").atMost(Duration.ofSeconds(30))
                        .until(() -> Files.exists(merged.resolveSibling("roll.log.2")));
                assertThat(cli.run("send", "roll", "{\"mark\":2}").exit()).isZero();
                follow.await("TestApp \\d+ got message \\{\"mark\":2}", Duration.ofSeconds(30));
                List<Integer> seen = new ArrayList<>();
                for (String l : follow.output().lines().toList()) {
                    Matcher m = LINE.matcher(l);
                    if (m.find()) {
                        seen.add(Integer.parseInt(m.group(1)));
                    }
                }
                List<Integer> all = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    all.add(i);
                }
                List<Integer> missing = new ArrayList<>(all);
                missing.removeAll(seen);
                List<Integer> extra = new ArrayList<>(seen);
                all.forEach(extra::remove); // what is left was printed twice (or is out of range)
                assertThat(seen).as("the numbered lines logs --follow printed across the rotations: %d seen, missing %s, "
                        + "printed again %s", seen.size(), missing, extra).isEqualTo(all);
                assertThat(Files.exists(merged)).isTrue();
            }
        }
    }
}
