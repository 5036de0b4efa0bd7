package io.jcluster.primary;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary's private (0700) directory of per-worker IPC sockets, {@code $TMPDIR/jcluster-<pid>-*}. Made at
 * the first fork, after removing those of primaries that died without cleaning up; removed at the stop and by a
 * shutdown hook.
 */
final class IpcDirectory {
    private static final Logger log = LoggerFactory.getLogger(IpcDirectory.class);
    private static final String PREFIX = "jcluster-";

    private final Path dir;

    private IpcDirectory(Path dir) {
        this.dir = dir;
    }

    static IpcDirectory create() {
        removeStale();
        try {
            IpcDirectory d = new IpcDirectory(Files.createTempDirectory(PREFIX + ProcessHandle.current().pid() + "-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))));
            Runtime.getRuntime().addShutdownHook(new Thread(d::remove, "jcluster-cleanup"));
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException("could not create the private IPC directory", e);
        }
    }

    /** Where worker {@code id} connects its links. */
    Path socket(int id) {
        return dir.resolve("w" + id + ".sock");
    }

    /** Removes the directory and what is left in it. */
    void remove() {
        removeAll(dir);
    }

    /**
     * Removes the IPC directories of primaries that died without cleaning up (kill -9): one whose pid is no
     * longer running, and that we own, is stale.
     */
    private static void removeStale() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (var dirs = Files.newDirectoryStream(tmp, PREFIX + "*")) {
            String me = System.getProperty("user.name");
            for (Path d : dirs) {
                String[] parts = d.getFileName().toString().split("-");
                if (parts.length < 3 || !Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                long pid;
                try {
                    pid = Long.parseLong(parts[1]);
                } catch (NumberFormatException e) {
                    continue; // not one of ours: another program's directory with our prefix
                }
                if (ProcessHandle.of(pid).isEmpty() && me.equals(Files.getOwner(d).getName())) {
                    removeAll(d);
                    log.debug("removed the stale IPC directory {}", d);
                }
            }
        } catch (IOException e) {
            log.debug("could not look for stale IPC directories: {}", e.toString());
        }
    }

    private static void removeAll(Path d) {
        try (var files = Files.list(d)) {
            files.forEach(IpcDirectory::delete);
        } catch (IOException e) {
            log.debug("could not list {}: {}", d, e.toString());
        }
        delete(d);
    }

    /** Deletes a file if it is there; a failure is only logged (the directory goes at the stop). */
    static void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            log.debug("could not delete {}: {}", p, e.toString());
        }
    }
}
