package io.jcluster.logs;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Reading log files: the last lines of a file, and following it across rotations ({@code tail -F}). */
public final class LogTail {
    static final int CHUNK = 64 * 1024;

    private LogTail() {
    }

    /** The last {@code n} complete lines of {@code file} and the end offset they were read up to. */
    public record Tail(List<String> lines, long end) { }

    public static Tail last(Path file, int n) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long len = f.length();
            long pos = len;
            byte[] acc = new byte[0];
            int newlines = 0;
            while (pos > 0 && newlines <= n) {
                int size = (int) Math.min(CHUNK, pos);
                pos -= size;
                byte[] b = new byte[size];
                f.seek(pos);
                f.readFully(b);
                for (byte x : b) {
                    if (x == '\n') {
                        newlines++;
                    }
                }
                byte[] joined = new byte[b.length + acc.length];
                System.arraycopy(b, 0, joined, 0, b.length);
                System.arraycopy(acc, 0, joined, b.length, acc.length);
                acc = joined;
            }
            int lastNl = acc.length - 1;
            while (lastNl >= 0 && acc[lastNl] != '\n') {
                lastNl--;
            }
            if (lastNl < 0) {
                return new Tail(List.of(), pos); // no complete line yet
            }
            long end = pos + lastNl + 1;
            List<String> lines = new ArrayList<>(List.of(new String(acc, 0, lastNl, StandardCharsets.UTF_8).split("\n", -1)));
            if (pos > 0) {
                lines.remove(0); // cut: the chunk started inside a line
            }
            if (lines.size() > n) {
                lines = new ArrayList<>(lines.subList(lines.size() - n, lines.size()));
            }
            return new Tail(n == 0 ? List.of() : lines, end);
        }
    }

    /**
     * Like {@link #last}, reaching back into the rotated files ({@code file.1}, {@code file.2}, … as
     * {@link RotatingFile} names them) while the newer ones hold fewer than {@code n} lines; the end offset is
     * {@code file}'s. A rotation while this reads may show a line twice or not at all.
     */
    public static Tail lastAcrossRotations(Path file, int n) throws IOException {
        Tail current = last(file, n);
        List<String> lines = new ArrayList<>(current.lines());
        for (int i = 1; lines.size() < n; i++) {
            Path older = RotatingFile.rotated(file, i);
            if (!Files.exists(older)) {
                break;
            }
            List<String> before;
            try {
                before = last(older, n - lines.size()).lines();
            } catch (java.nio.file.NoSuchFileException | java.io.FileNotFoundException e) {
                break; // rotated away meanwhile
            }
            lines.addAll(0, before);
        }
        return new Tail(lines, current.end());
    }

    /**
     * Follows {@code file} from {@code offset}: every new complete line goes to {@code sink}. A file that
     * shrank or was replaced (rotated) is read again from its start. Runs until interrupted.
     */
    public static void follow(Path file, long offset, Consumer<String> sink, long pollMillis) throws IOException, InterruptedException {
        long pos = offset;
        Object key = fileKey(file);
        byte[] partial = new byte[0];
        for (;;) {
            Object k = fileKey(file);
            long size = Files.exists(file) ? Files.size(file) : 0;
            if (k != null && !k.equals(key) || size < pos) {
                key = k;
                pos = 0;
                partial = new byte[0];
            }
            if (size > pos) {
                try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
                    f.seek(pos);
                    byte[] b = new byte[(int) Math.min(size - pos, 1 << 20)];
                    f.readFully(b);
                    pos += b.length;
                    byte[] data = new byte[partial.length + b.length];
                    System.arraycopy(partial, 0, data, 0, partial.length);
                    System.arraycopy(b, 0, data, partial.length, b.length);
                    int start = 0;
                    for (int i = 0; i < data.length; i++) {
                        if (data[i] == '\n') {
                            sink.accept(new String(data, start, i - start, StandardCharsets.UTF_8));
                            start = i + 1;
                        }
                    }
                    partial = java.util.Arrays.copyOfRange(data, start, data.length);
                }
                continue;
            }
            Thread.sleep(pollMillis);
        }
    }

    private static Object fileKey(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }
}
