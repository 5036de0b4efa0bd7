package io.jcluster.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogTailTest {
    @TempDir
    Path dir;

    @Test
    void lastLinesOfASmallAndABigFile() throws Exception {
        Path f = dir.resolve("a.log");
        Files.writeString(f, "one\ntwo\nthree\n");
        assertThat(LogTail.last(f, 2).lines()).containsExactly("two", "three");
        assertThat(LogTail.last(f, 10).lines()).containsExactly("one", "two", "three");
        assertThat(LogTail.last(f, 0).lines()).isEmpty();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 50_000; i++) {
            sb.append("line ").append(i).append('\n');
        }
        Files.writeString(f, sb);
        LogTail.Tail t = LogTail.last(f, 3);
        assertThat(t.lines()).containsExactly("line 49997", "line 49998", "line 49999");
        assertThat(t.end()).isEqualTo(Files.size(f));
    }

    @Test
    void lastLinesReachBackIntoRotatedFilesOldestFirst() throws Exception {
        Path f = dir.resolve("a.log");
        Files.writeString(RotatingFile.rotated(f, 2), "1\n2\n");
        Files.writeString(RotatingFile.rotated(f, 1), "3\n4\n5\n");
        Files.writeString(f, "6\n7\nhalf");
        assertThat(LogTail.lastAcrossRotations(f, 2).lines()).containsExactly("6", "7");
        assertThat(LogTail.lastAcrossRotations(f, 4).lines()).containsExactly("4", "5", "6", "7");
        assertThat(LogTail.lastAcrossRotations(f, 100).lines()).containsExactly("1", "2", "3", "4", "5", "6", "7");
        assertThat(LogTail.lastAcrossRotations(f, 0).lines()).isEmpty();
        assertThat(LogTail.lastAcrossRotations(f, 100).end()).isEqualTo(4); // "6\n7\n": follow goes on from there
        Files.delete(RotatingFile.rotated(f, 1)); // a gap ends the reach back: .2 is older than the missing .1
        assertThat(LogTail.lastAcrossRotations(f, 100).lines()).containsExactly("6", "7");
    }

    @Test
    void anUnfinishedLastLineIsLeftForLater() throws Exception {
        Path f = dir.resolve("a.log");
        Files.writeString(f, "one\ntwo\nhalf");
        LogTail.Tail t = LogTail.last(f, 5);
        assertThat(t.lines()).containsExactly("one", "two");
        assertThat(t.end()).isEqualTo(8);
        Files.writeString(f, "nothing yet");
        assertThat(LogTail.last(f, 5).lines()).isEmpty();
    }

    @Test
    void followSeesNewLinesAndRotation() throws Exception {
        Path f = dir.resolve("a.log");
        Files.writeString(f, "old\n");
        LinkedBlockingQueue<String> got = new LinkedBlockingQueue<>();
        long from = Files.size(f);
        Thread t = new Thread(() -> {
            try {
                LogTail.follow(f, from, got::add, 20);
            } catch (InterruptedException e) {
                // stopped
            } catch (Exception e) {
                got.add("error " + e);
            }
        });
        t.start();
        try {
            Files.writeString(f, "new 1\nnew", StandardOpenOption.APPEND);
            assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo("new 1");
            Files.writeString(f, " 2\n", StandardOpenOption.APPEND);
            assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo("new 2");
            Files.move(f, RotatingFile.rotated(f, 1));
            Files.writeString(f, "after rotation\n");
            assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo("after rotation");
            assertThat(List.copyOf(got)).isEmpty();
        } finally {
            t.interrupt();
            t.join(5000);
        }
    }
    /** Issue 17: lines written to the file just before its rotation (between two polls) were lost. */
    @Test
    void followReadsTheOldFileToItsEndBeforeTheNewOne() throws Exception {
        Path f = dir.resolve("b.log");
        Files.writeString(f, "");
        LinkedBlockingQueue<String> got = new LinkedBlockingQueue<>();
        Thread t = new Thread(() -> {
            try {
                LogTail.follow(f, 0, got::add, 300);
            } catch (InterruptedException e) {
                // stopped
            } catch (Exception e) {
                got.add("error " + e);
            }
        });
        t.start();
        try {
            Files.writeString(f, "first\n", StandardOpenOption.APPEND);
            assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo("first");
            // Within one poll interval: more lines, the rotation, the new file's line.
            Files.writeString(f, "last 1\nlast 2\n", StandardOpenOption.APPEND);
            Files.move(f, RotatingFile.rotated(f, 1));
            Files.writeString(f, "new 1\n");
            for (String want : List.of("last 1", "last 2", "new 1")) {
                assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo(want);
            }
            assertThat(List.copyOf(got)).isEmpty();
        } finally {
            t.interrupt();
            t.join(5000);
        }
    }
}
