package io.jcluster.logs;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
     * Follows {@code file} from {@code offset}: every new complete line goes to {@code sink}. The file is kept open:
     * once the name holds another file (a rotation), what was still written to the old one is read to its end first,
     * then the new one from its start; a file that shrank in place is read again from its start. Runs until
     * interrupted.
     */
    public static void follow(Path file, long offset, Consumer<String> sink, long pollMillis) throws IOException, InterruptedException {
        Object key = fileKey(file);
        FileChannel open = key == null ? null : openOrNull(file);
        Lines lines = new Lines(sink);
        long pos = offset;
        try {
            for (;;) {
                long before = pos;
                if (open != null) {
                    if (open.size() < pos) { // truncated in place
                        pos = 0;
                        lines.reset();
                    }
                    pos = drain(open, pos, lines);
                }
                Object k = fileKey(file);
                if (k != null && !k.equals(key)) {
                    // Files rotated after the one we had open (more than one rotation between two polls): open
                    // them, oldest first, before the current file, so the reads below survive further renames.
                    List<FileChannel> between = key == null ? List.of() : openRotatedAfter(file, key);
                    if (open != null) {
                        drain(open, pos, lines); // the old file's last lines, written before it was renamed
                        lines.flush();
                        open.close();
                    }
                    open = openOrNull(file);
                    for (FileChannel ch : between) {
                        try (ch) {
                            drain(ch, 0, lines);
                            lines.flush();
                        }
                    }
                    key = open == null ? null : k;
                    pos = 0;
                    continue;
                }
                if (pos == before) {
                    Thread.sleep(pollMillis);
                }
            }
        } finally {
            if (open != null) {
                open.close();
            }
        }
    }

    /** Reads {@code ch} from {@code pos} to its current end into {@code lines}; returns the new position. */
    private static long drain(FileChannel ch, long pos, Lines lines) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK);
        for (;;) {
            buf.clear();
            int n = ch.read(buf, pos);
            if (n <= 0) {
                return pos;
            }
            pos += n;
            lines.add(buf.array(), n);
        }
    }

    private static FileChannel openOrNull(Path file) throws IOException {
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (java.nio.file.NoSuchFileException e) {
            return null; // between a rotation's rename and the new file: the next poll opens it
        }
    }

    /** Bytes to complete lines: the bytes after the last newline wait for the rest of their line. */
    private static final class Lines {
        private final Consumer<String> sink;
        private java.io.ByteArrayOutputStream partial = new java.io.ByteArrayOutputStream();

        Lines(Consumer<String> sink) {
            this.sink = sink;
        }

        void add(byte[] b, int n) {
            int start = 0;
            for (int i = 0; i < n; i++) {
                if (b[i] == '\n') {
                    partial.write(b, start, i - start);
                    sink.accept(partial.toString(StandardCharsets.UTF_8));
                    partial.reset();
                    start = i + 1;
                }
            }
            partial.write(b, start, n - start);
        }

        /** The end of a file: a last line without its newline is still a line. */
        void flush() {
            if (partial.size() > 0) {
                sink.accept(partial.toString(StandardCharsets.UTF_8));
            }
            partial.reset();
        }

        void reset() {
            partial.reset();
        }
    }

    /**
     * The rotated files ({@code file.1}, {@code file.2}, …) newer than the one whose key is {@code key}, opened,
     * oldest first; none when that file is no longer among them (pruned) or none was rotated after it.
     */
    private static List<FileChannel> openRotatedAfter(Path file, Object key) throws IOException {
        int at = 0;
        for (int i = 1; ; i++) {
            Object k = fileKey(RotatingFile.rotated(file, i));
            if (k == null) {
                break;
            }
            if (k.equals(key)) {
                at = i;
                break;
            }
        }
        List<FileChannel> newer = new ArrayList<>();
        for (int i = at - 1; i >= 1; i--) {
            FileChannel ch = openOrNull(RotatingFile.rotated(file, i));
            if (ch != null) {
                newer.add(ch);
            }
        }
        return newer;
    }

    private static Object fileKey(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }
}
