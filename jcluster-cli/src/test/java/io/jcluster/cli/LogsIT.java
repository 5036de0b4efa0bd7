package io.jcluster.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Every worker line reaches the console, the merged file and the worker's file: whole, once, in order. */
@Timeout(300)
class LogsIT {
    static final int LINES = 100_000;
    private static final Pattern LINE = Pattern.compile(
            "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\[worker (\\d+) (\\d+)] line (\\d+) (\\d+) of worker (\\d+) padding-padding-padding$");

    @TempDir
    Path home;

    @Test
    void twoWorkersWritingAHundredThousandLinesEachLoseNone() throws Exception {
        Jcluster cli = new Jcluster(home);
        try (Jcluster.Running primary = cli.startQuiet(Jcluster.testApp("chatty", 2, "--log-max-size", "1G", "--",
                "--port", "0", "--print", Integer.toString(LINES)))) {
            primary.awaitUp();
            primary.await("printed " + LINES + " lines", Duration.ofSeconds(120));
            primary.await("printed " + LINES + " lines", Duration.ofSeconds(120));
            Path dir = home.resolve("logs").resolve("chatty");
            Path mergedFile = dir.resolve("chatty.log");
            await().alias("both workers' lines in the merged file").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> check(mergedFile, false).values().stream().mapToInt(Integer::intValue).sum() >= 2 * LINES);
            assertThat(check(mergedFile, false)).as("lines per worker in the merged file")
                    .isEqualTo(Map.of(1, LINES, 2, LINES));
            assertThat(check(dir.resolve("worker-1.log"), true)).isEqualTo(Map.of(1, LINES));
            assertThat(check(dir.resolve("worker-2.log"), true)).isEqualTo(Map.of(2, LINES));
            assertThat(primary.printed.get()).as("lines on the primary's output").isEqualTo(2L * LINES);

            Jcluster.Result tail = cli.run("logs", "chatty", "--worker", "1", "--lines", "3");
            assertThat(tail.exit()).as(tail.all()).isZero();
            List<String> last = tail.out().lines().toList();
            assertThat(last).hasSize(3);
            assertThat(last.get(2)).contains("printed " + LINES + " lines");
            assertThat(last.get(1)).contains("line 1 " + (LINES - 1) + " of worker 1");

            try (Jcluster.Running follow = cli.start(List.of("logs", "chatty", "--follow", "--lines", "0"))) {
                // A line written before the follower reached the file's end is not shown: send until one is.
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    assertThat(cli.run("send", "chatty", "{\"ping\":42}").exit()).isZero();
                    follow.await("\\[worker [12] \\d+] TestApp \\d+ got message \\{\"ping\":42}", Duration.ofSeconds(2));
                });
                follow.await("\\[worker [12] \\d+] TestApp \\d+ got message \\{\"ping\":42}");
            }
        }
    }

    @Test
    void logsReachesBackIntoRotatedFiles() throws Exception {
        Jcluster cli = new Jcluster(home);
        int printed = 5000; // ~500 KB of lines: several rotations at 64 KB, five old files kept
        try (Jcluster.Running primary = cli.startQuiet(Jcluster.testApp("rot", 1, "--log-max-size", "64K", "--",
                "--port", "0", "--print", Integer.toString(printed)))) {
            primary.awaitUp();
            primary.await("printed " + printed + " lines", Duration.ofSeconds(120));
            Path file = home.resolve("logs").resolve("rot").resolve("worker-1.log");
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(file)
                    && Files.readString(file).contains("printed " + printed + " lines"));
            assertThat(file.resolveSibling("worker-1.log.2")).exists();

            Jcluster.Result tail = cli.run("logs", "rot", "--worker", "1", "--lines", "2000");
            assertThat(tail.exit()).as(tail.all()).isZero();
            List<String> last = tail.out().lines().toList();
            assertThat(last).hasSize(2000);
            assertThat(last.get(1999)).contains("printed " + printed + " lines");
            for (int i = 0; i < 1999; i++) { // the newest 1999 numbered lines, in order, across the files
                assertThat(last.get(i)).contains("line 1 " + (printed - 1999 + i) + " of worker 1");
            }
        }
    }

    /** Counts the test app's lines per worker; every line must be whole, and each worker's numbers in order, once. */
    private static Map<Integer, Integer> check(Path file, boolean strict) throws Exception {
        Map<Integer, Integer> next = new HashMap<>();
        if (!Files.exists(file)) {
            return next;
        }
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line; (line = r.readLine()) != null; ) {
                if (!line.contains("] line ")) {
                    assertThat(line).as("a whole line in " + file).matches("^\\d{4}-\\d\\d-\\d\\dT\\S+ \\[(worker \\d+|primary) \\d+] .*");
                    continue;
                }
                Matcher m = LINE.matcher(line);
                assertThat(m.matches()).as("a whole, uncut line in " + file + ": " + line).isTrue();
                int worker = Integer.parseInt(m.group(1));
                assertThat(m.group(3)).isEqualTo(m.group(1));
                int n = Integer.parseInt(m.group(4));
                int expected = next.getOrDefault(worker, 0);
                assertThat(n).as("line number of worker " + worker + " in " + file).isEqualTo(expected);
                next.put(worker, expected + 1);
            }
        }
        return next;
    }
}
