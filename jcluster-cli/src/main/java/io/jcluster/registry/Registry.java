package io.jcluster.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.jcluster.contract.CliException;
import io.jcluster.contract.ExitCode;
import io.jcluster.contract.JsonText;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The per-user registry of clusters: a directory ({@code ~/.jcluster}, or {@code $JCLUSTER_HOME}), mode 0700.
 * For a cluster NAME it holds {@code NAME.json} (its {@link Entry}), {@code NAME.sock} (the control socket,
 * 0600), {@code NAME.pid}, {@code NAME.lock} (held by the running primary: the name is taken while it is; deleted as it
 * lets the name go) and
 * {@code logs/NAME/} (its log files, unless the cluster was given another log directory).
 */
public final class Registry {
    public static final String ENV_HOME = "JCLUSTER_HOME";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /** Writes entries (primaries only): reading one needs no {@code ObjectMapper} ({@link Entry#of}). */
    private static final class Writer {
        static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private final Path home;

    public Registry(Path home) {
        this.home = home;
    }

    /** The registry of this user: {@code $JCLUSTER_HOME}, else {@code ~/.jcluster}. */
    public static Registry open() {
        String env = System.getenv(ENV_HOME);
        Path home = env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".jcluster");
        return new Registry(home.toAbsolutePath());
    }

    public Path home() {
        return home;
    }

    /** Creates the directory (0700) if needed. */
    public Registry ensure() {
        try {
            if (!Files.isDirectory(home)) {
                Files.createDirectories(home.getParent());
                Files.createDirectory(home, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            }
            if (!Files.getPosixFilePermissions(home).equals(OWNER_ONLY)) {
                Files.setPosixFilePermissions(home, OWNER_ONLY);
            }
        } catch (java.nio.file.FileAlreadyExistsException e) {
            return this; // another primary made it at the same moment
        } catch (IOException e) {
            throw new CliException(ExitCode.FAILED, "cannot create the registry " + home + " (" + e.getMessage()
                    + "); set " + ENV_HOME + " to a writable directory");
        }
        return this;
    }

    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new CliException(ExitCode.USAGE, "'" + name + "' is not a valid cluster name (use letters, digits, "
                    + "'.', '_' and '-', at most 64, starting with a letter or digit)");
        }
        return name;
    }

    public Path socket(String name) {
        return home.resolve(name + ".sock");
    }

    public Path entryFile(String name) {
        return home.resolve(name + ".json");
    }

    public Path pidFile(String name) {
        return home.resolve(name + ".pid");
    }

    public Path lockFile(String name) {
        return home.resolve(name + ".lock");
    }

    public Path defaultLogDir(String name) {
        return home.resolve("logs").resolve(name);
    }

    /**
     * Takes the name for this process: locks {@code NAME.lock} for the life of the JVM. Throws
     * {@link ExitCode#NAME_IN_USE} when a live primary holds it.
     */
    public Claim claim(String name) {
        ensure();
        Path file = lockFile(name);
        try {
            for (int attempt = 0; ; attempt++) {
                FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock;
                try {
                    lock = ch.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null;
                }
                if (lock == null) {
                    ch.close();
                    long pid = read(name).map(Entry::pid).orElse(-1L);
                    throw new CliException(ExitCode.NAME_IN_USE, "a cluster named " + name + " is already running"
                            + (pid > 0 ? " (primary pid " + pid + ")" : "") + "; stop it with 'jcluster stop " + name
                            + "' or choose another --name");
                }
                // The primary that held the name deletes NAME.lock before it lets go: a lock taken on the file it
                // deleted (opened just before) holds nothing. (Checked without opening the file: closing any
                // descriptor of a file drops this process's locks on it.)
                if (Files.exists(file) && !lockedADeletedFile(file)) {
                    return new Claim(name, ch, lock);
                }
                lock.release();
                ch.close();
                if (attempt >= 10) {
                    throw new CliException(ExitCode.FAILED, "cannot take the name " + name + ": " + file
                            + " keeps being replaced; is another primary starting with that name?");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + file, e);
        }
    }

    /** {@link #claim}, tried again until {@code within} has passed: an upgrade's old primary is letting go of it. */
    public Claim claimWithin(String name, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            try {
                return claim(name);
            } catch (CliException e) {
                if (e.exit() != ExitCode.NAME_IN_USE || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
    }

    /** Whether one of this process's descriptors is open on {@code file} after it was deleted (Linux's /proc). */
    private static boolean lockedADeletedFile(Path file) {
        String deleted;
        try {
            deleted = file.toAbsolutePath().getParent().toRealPath().resolve(file.getFileName()) + " (deleted)";
        } catch (IOException e) {
            return false;
        }
        try (java.nio.file.DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    if (Files.readSymbolicLink(fd).toString().equals(deleted)) {
                        return true;
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException e) {
            return false; // no /proc: the check is skipped
        }
        return false;
    }

    /** The name held by a running primary; released (with the registry files removed) by {@link #release}. */
    public record Claim(String name, FileChannel channel, FileLock lock) { }

    /**
     * Removes a cluster's entry, socket and pid file, then releases its name. Files another process has written
     * since (the new primary of an upgrade) are left to it.
     */
    public void release(Claim claim) {
        if (!claim.lock().isValid()) {
            // Let go already (an upgrade handed the name over): the files are the new holder's, or about to be; its
            // socket may be bound before its entry names it, so "the entry still names us" proves nothing.
            return;
        }
        Optional<Entry> e = read(claim.name());
        if (e.isEmpty() || e.get().pid() == ProcessHandle.current().pid()) {
            removeFiles(claim.name());
        }
        releaseName(claim);
    }

    /** Releases the name and leaves the files: an upgrade's new primary takes the name and writes its own. */
    public void unlock(Claim claim) {
        releaseName(claim);
    }

    /** Lets the name go, deleting {@code NAME.lock} while still holding it, so no file stays for every name used. */
    public void releaseName(Claim claim) {
        if (!claim.lock().isValid()) {
            return; // let go already (an upgrade): the file may be the new holder's now
        }
        try {
            Files.deleteIfExists(lockFile(claim.name()));
        } catch (IOException e) {
            // left behind: the next claim of this name uses it
        }
        try {
            claim.lock().release();
            claim.channel().close();
        } catch (IOException e) {
            // the JVM is ending; the lock goes with it
        }
    }

    public void removeFiles(String name) {
        for (Path p : List.of(entryFile(name), socket(name), pidFile(name))) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                // best effort
            }
        }
    }

    public void write(Entry e) {
        ensure();
        Path file = entryFile(e.name());
        Path tmp = home.resolve("." + e.name() + ".json." + ProcessHandle.current().pid());
        try {
            Files.write(tmp, Writer.JSON.writeValueAsBytes(e));
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException x) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException x) {
            throw new UncheckedIOException("cannot write " + file, x);
        }
    }

    public void writePid(String name, long pid) {
        try {
            Files.writeString(pidFile(name), pid + "\n");
        } catch (IOException x) {
            throw new UncheckedIOException("cannot write " + pidFile(name), x);
        }
    }

    public Optional<Entry> read(String name) {
        Path f = entryFile(name);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(Entry.of(JsonText.read(Files.readAllBytes(f))));
        } catch (IOException e) {
            return Optional.empty(); // half-written or foreign: treat as absent
        }
    }

    public List<Entry> list() {
        List<Entry> all = new ArrayList<>();
        if (!Files.isDirectory(home)) {
            return all;
        }
        try (Stream<Path> files = Files.list(home)) {
            files.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".json") && !f.startsWith("."))
                    .sorted().forEach(f -> read(f.substring(0, f.length() - 5)).ifPresent(all::add));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + home, e);
        }
        return all;
    }

    /**
     * A running cluster's entry. Throws {@link ExitCode#NO_SUCH_CLUSTER} when there is none, and
     * {@link ExitCode#STALE} (after removing the leftovers) when its primary died without cleaning up.
     */
    public Entry live(String name) {
        checkName(name);
        Optional<Entry> e = read(name);
        if (e.isEmpty()) {
            if (Files.exists(socket(name))) {
                removeFiles(name);
                throw new CliException(ExitCode.STALE, "the control socket of " + name + " is stale (its primary is "
                        + "gone) and was removed; start the cluster again with 'jcluster start'");
            }
            throw new CliException(ExitCode.NO_SUCH_CLUSTER, "no cluster named " + name
                    + " is running; 'jcluster ls' lists the running ones");
        }
        if (!alive(e.get())) {
            removeFiles(name);
            throw new CliException(ExitCode.STALE, name + " is not running: its primary (pid " + e.get().pid()
                    + ") died without stopping, so its control socket was stale and was removed; start it again "
                    + "with 'jcluster start'");
        }
        return e.get();
    }

    /** True while the entry's primary is alive: same pid, same process start time. */
    public static boolean alive(Entry e) {
        Optional<ProcessHandle> h = ProcessHandle.of(e.pid());
        if (h.isEmpty() || !h.get().isAlive()) {
            return false;
        }
        Optional<Instant> started = h.get().info().startInstant();
        if (started.isEmpty() || e.processStart() == null) {
            return true;
        }
        return Duration.between(Instant.parse(e.processStart()), started.get()).abs().toMillis() < 2000;
    }
}
