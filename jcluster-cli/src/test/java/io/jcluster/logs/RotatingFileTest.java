package io.jcluster.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RotatingFileTest {
    @TempDir
    Path dir;

    private static byte[] line(int i) {
        return String.format("line %04d\n", i).getBytes(StandardCharsets.UTF_8); // 10 bytes
    }

    @Test
    void rotatesBySizeKeepingWholeLinesAndTheNewestFiles() throws Exception {
        Path log = dir.resolve("app.log");
        try (RotatingFile f = new RotatingFile(log, 100, 2)) {
            for (int i = 0; i < 45; i++) {
                f.write(line(i));
            }
            f.flush();
        }
        assertThat(Files.readAllLines(log)).containsExactly("line 0040", "line 0041", "line 0042", "line 0043", "line 0044");
        assertThat(Files.readAllLines(RotatingFile.rotated(log, 1))).hasSize(10).first().isEqualTo("line 0030");
        assertThat(Files.readAllLines(RotatingFile.rotated(log, 2))).hasSize(10).first().isEqualTo("line 0020");
        assertThat(RotatingFile.rotated(log, 3)).doesNotExist();
    }

    @Test
    void appendsToAnExistingFileAndCountsItsSize() throws Exception {
        Path log = dir.resolve("app.log");
        Files.write(log, new byte[95]);
        try (RotatingFile f = new RotatingFile(log, 100, 1)) {
            f.write(line(1));
        }
        assertThat(Files.readAllLines(log)).containsExactly("line 0001");
        assertThat(Files.size(RotatingFile.rotated(log, 1))).isEqualTo(95);
    }

    @Test
    void keepZeroTruncates() throws Exception {
        Path log = dir.resolve("app.log");
        try (RotatingFile f = new RotatingFile(log, 20, 0)) {
            for (int i = 0; i < 5; i++) {
                f.write(line(i));
            }
        }
        assertThat(Files.readAllLines(log)).containsExactly("line 0004");
        assertThat(RotatingFile.rotated(log, 1)).doesNotExist();
    }

    @Test
    void concurrentWritersNeverCutALine() throws Exception {
        Path log = dir.resolve("app.log");
        try (RotatingFile f = new RotatingFile(log, 0, 0)) {
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int id = t;
                Thread th = new Thread(() -> {
                    for (int i = 0; i < 5000; i++) {
                        try {
                            f.write(("writer " + id + " line " + i + " " + "x".repeat(i % 50) + "\n").getBytes(StandardCharsets.UTF_8));
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                    }
                });
                ts.add(th);
                th.start();
            }
            for (Thread th : ts) {
                th.join();
            }
        }
        List<String> lines = Files.readAllLines(log);
        assertThat(lines).hasSize(20_000).allMatch(l -> l.matches("writer \\d line \\d+ x*"));
    }
}
