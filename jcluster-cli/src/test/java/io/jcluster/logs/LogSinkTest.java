package io.jcluster.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a cluster's lines go: worker files pruned to the 32 most recent, the primary's lines in one style. */
class LogSinkTest {
    @TempDir
    Path dir;

    @Test
    void onlyThe32MostRecentlyExitedWorkersKeepTheirFilesEvenWhenLateLinesArrive() throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8);
        try (LogSink sink = new LogSink(dir, "web", 0, 5, false, out, out)) {
            for (int id = 1; id <= 300; id++) { // a large scale, then down
                sink.workerLine(id, 1000 + id, false, "hello from " + id);
            }
            for (int id = 1; id <= 300; id++) {
                sink.workerExited(id);
                sink.workerLine(id, 1000 + id, true, "late line of " + id); // still draining after the exit
            }
            sink.workerLine(5, 1005, false, "much later");
            sink.flushAll();
            assertThat(workerFiles()).hasSize(LogSink.KEEP_EXITED);
            assertThat(Files.readString(LogSink.workerFile(dir, 300))).contains("hello from 300").contains("late line of 300");
            assertThat(LogSink.workerFile(dir, 5)).doesNotExist();
            assertThat(Files.readString(dir.resolve("web.log"))).contains("late line of 1").contains("much later");
        }
        assertThat(console.toString(StandardCharsets.UTF_8)).as("a daemon's workers do not go to its output").isEmpty();
    }

    @Test
    void theCoresLinesAreThePrimarysOwn() throws Exception {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        String prefix = "[primary " + ProcessHandle.current().pid() + "] ";
        try (LogSink sink = new LogSink(dir, "web", 0, 5, true, new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8))) {
            sink.event("web is up");
            CommandLogging provider = new CommandLogging();
            provider.getLoggerFactory().getLogger("io.jcluster.primary.Primary").info("stopping {} worker(s)", 3);
            provider.getLoggerFactory().getLogger("io.jcluster.primary.Primary").warn("slow", new IllegalStateException("x"));
            sink.flushAll();
            assertThat(stdout.toString(StandardCharsets.UTF_8)).isEqualTo(prefix + "web is up\n" + prefix + "stopping 3 worker(s)\n");
            assertThat(stderr.toString(StandardCharsets.UTF_8)).isEqualTo(prefix + "slow: java.lang.IllegalStateException: x\n");
            assertThat(Files.readString(dir.resolve("web.log")).lines())
                    .hasSize(3).allMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\[primary \\d+\\] .*"));
        }
    }

    @Test
    void aDaemonsOutputLinesAreStamped() {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        PrintStream stamped = StampedOutput.wrap(file);
        stamped.println("jcluster: web failed to start: why");
        stamped.print("two ");
        stamped.print("parts\nand a rest");
        stamped.close();
        assertThat(file.toString(StandardCharsets.UTF_8).lines()).hasSize(3)
                .allMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3} (jcluster: web failed to start: why|two parts|and a rest)"));
    }

    private Stream<Path> workerFiles() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("worker-")).toList().stream();
        }
    }
}
