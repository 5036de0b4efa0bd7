package io.jcluster.logs;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * An append-only log file rotated by size: when a write would take {@code path} over {@code maxSize}, it
 * becomes {@code path.1} ({@code .1} becomes {@code .2}, … up to {@code keep} files) and a new one starts.
 * Writes are whole lines and synchronized, so lines never interleave. Buffered; {@link #flush} by the owner.
 */
public final class RotatingFile implements AutoCloseable {
    private final Path path;
    private final long maxSize;
    private final int keep;
    private OutputStream out;
    private long size;
    private boolean dirty;
    private long lastWriteNanos;
    private boolean deleted;

    public RotatingFile(Path path, long maxSize, int keep) {
        this.path = path;
        this.maxSize = maxSize;
        this.keep = keep;
    }

    public Path path() {
        return path;
    }

    public synchronized void write(byte[] line) throws IOException {
        if (deleted) {
            return;
        }
        if (out == null) {
            open();
        }
        if (maxSize > 0 && size > 0 && size + line.length > maxSize) {
            rotate();
        }
        out.write(line);
        size += line.length;
        dirty = true;
        lastWriteNanos = System.nanoTime();
    }

    /** Writes several lines as one block (nothing else in between; a rotation may only come before it). */
    public synchronized void writeAll(Iterable<byte[]> lines) throws IOException {
        for (byte[] l : lines) {
            write(l);
        }
    }

    public synchronized void flush() throws IOException {
        if (dirty && out != null) {
            out.flush();
            dirty = false;
        }
    }

    synchronized long idleNanos() {
        return System.nanoTime() - lastWriteNanos;
    }

    private void open() throws IOException {
        Files.createDirectories(path.getParent());
        out = new BufferedOutputStream(Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND),
                1 << 16);
        size = Files.size(path);
    }

    private void rotate() throws IOException {
        out.close();
        out = null;
        if (keep <= 0) {
            Files.deleteIfExists(path);
        } else {
            Files.deleteIfExists(rotated(path, keep));
            for (int i = keep - 1; i >= 1; i--) {
                Path from = rotated(path, i);
                if (Files.exists(from)) {
                    Files.move(from, rotated(path, i + 1), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.move(path, rotated(path, 1), StandardCopyOption.REPLACE_EXISTING);
        }
        open();
    }

    /** Closes the file and deletes it with its rotated ones; later writes are dropped (a late line recreates nothing). */
    public synchronized void delete() throws IOException {
        close();
        deleted = true;
        Files.deleteIfExists(path);
        for (int i = 1; i <= keep; i++) {
            Files.deleteIfExists(rotated(path, i));
        }
    }

    public static Path rotated(Path path, int n) {
        return path.resolveSibling(path.getFileName() + "." + n);
    }

    @Override
    public synchronized void close() throws IOException {
        if (out != null) {
            out.close();
            out = null;
            dirty = false;
        }
    }
}
