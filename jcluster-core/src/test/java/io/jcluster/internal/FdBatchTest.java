package io.jcluster.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several fds per message over a real Unix socket pair, as the primary and a worker use it. */
class FdBatchTest {
    @TempDir
    Path dir;
    private Socket listener;
    private Socket sender;
    private Socket receiver;
    private final List<FileDescriptor> opened = new ArrayList<>();

    @BeforeEach
    void connect() throws IOException {
        assumeThat(Epoll.isAvailable()).as("Linux with epoll").isTrue();
        assertThat(FdBatch.AVAILABLE).as("the build made libjcluster-fds (gcc is on the build machine)").isTrue();
        DomainSocketAddress at = new DomainSocketAddress(dir.resolve("s").toString());
        listener = Socket.newSocketDomain();
        listener.bind(at);
        listener.listen(4);
        sender = Socket.newSocketDomain();
        assertThat(sender.connect(at)).isTrue();
        int fd = listener.accept(new byte[26]);
        assertThat(fd).isPositive();
        receiver = new Socket(fd);
    }

    @AfterEach
    void close() throws IOException {
        for (FileDescriptor f : opened) {
            f.close();
        }
        for (Socket s : new Socket[] {sender, receiver, listener}) {
            if (s != null) {
                s.close();
            }
        }
    }

    @Test
    void oneMessageCarriesManyFdsThatReachTheSameFiles() throws IOException {
        int n = 40;
        FileDescriptor[][] pipes = new FileDescriptor[n][];
        int[] readEnds = new int[n];
        for (int i = 0; i < n; i++) {
            pipes[i] = open(FileDescriptor.pipe());
            readEnds[i] = pipes[i][0].intValue();
        }
        assertThat(FdBatch.send(sender.intValue(), readEnds, 0, n)).isEqualTo(1);

        int[] got = new int[FdBatch.MAX_FDS];
        assertThat(FdBatch.receive(receiver.intValue(), got)).isEqualTo(n);
        for (int i = 0; i < n; i++) {
            FileDescriptor copy = open(new FileDescriptor(got[i]));
            assertThat(copy.intValue()).isNotIn(readEnds); // a new fd in this process, for the same pipe
            write(pipes[i][1], "pipe " + i);
            assertThat(read(copy)).isEqualTo("pipe " + i);
        }
        assertThat(FdBatch.receive(receiver.intValue(), got)).as("nothing more").isEqualTo(FdBatch.EAGAIN);
    }

    @Test
    void messagesAreNeverJoinedAndTheirOrderHolds() throws IOException {
        FileDescriptor[] a = open(FileDescriptor.pipe());
        FileDescriptor[] b = open(FileDescriptor.pipe());
        FileDescriptor[] c = open(FileDescriptor.pipe());
        int[] fds = {a[0].intValue(), b[0].intValue(), c[0].intValue()};
        assertThat(FdBatch.send(sender.intValue(), fds, 0, 2)).isEqualTo(1);
        assertThat(FdBatch.send(sender.intValue(), fds, 2, 1)).isEqualTo(1);
        write(a[1], "a");
        write(b[1], "b");
        write(c[1], "c");

        int[] got = new int[FdBatch.MAX_FDS];
        assertThat(FdBatch.receive(receiver.intValue(), got)).isEqualTo(2);
        assertThat(read(open(new FileDescriptor(got[0])))).isEqualTo("a");
        assertThat(read(open(new FileDescriptor(got[1])))).isEqualTo("b");
        assertThat(FdBatch.receive(receiver.intValue(), got)).isEqualTo(1);
        assertThat(read(open(new FileDescriptor(got[0])))).isEqualTo("c");
    }

    @Test
    void theEndOfTheStreamAndBadArgumentsAreReportedNotThrown() throws IOException {
        int[] got = new int[FdBatch.MAX_FDS];
        FileDescriptor[] p = open(FileDescriptor.pipe());
        assertThat(FdBatch.send(sender.intValue(), new int[] {p[0].intValue()}, 0, 0)).isNegative();
        assertThat(FdBatch.send(sender.intValue(), new int[FdBatch.MAX_FDS + 1], 0, FdBatch.MAX_FDS + 1)).isNegative();
        assertThat(FdBatch.send(sender.intValue(), new int[] {-1}, 0, 1)).as("EBADF").isNegative();
        sender.close();
        assertThat(FdBatch.receive(receiver.intValue(), got)).isEqualTo(FdBatch.EOF);
        assertThat(FdBatch.send(receiver.intValue(), new int[] {p[0].intValue()}, 0, 1))
                .as("the peer is gone: EPIPE, and no SIGPIPE").isNegative();
    }

    @Test
    void aReceiverOutOfFdsGetsAnErrorAndNoneOfThem() throws Exception {
        assumeThat(new java.io.File("/usr/bin/prlimit")).as("util-linux prlimit").exists();
        int n = 100;
        int[] readEnds = new int[n];
        for (int i = 0; i < n; i++) {
            readEnds[i] = open(FileDescriptor.pipe())[0].intValue();
        }
        assertThat(FdBatch.send(sender.intValue(), readEnds, 0, n)).isEqualTo(1);
        long pid = ProcessHandle.current().pid();
        String[] limits = run("prlimit", "--pid", Long.toString(pid), "--nofile", "--raw", "--noheadings")
                .trim().split("\\s+");
        String soft = limits[limits.length - 3];
        String hard = limits[limits.length - 2];
        int[] got = new int[FdBatch.MAX_FDS];
        int result;
        try {
            // Room for 32 of the 100, and for the process that lifts the limit again.
            run("prlimit", "--pid", Long.toString(pid), "--nofile=" + (openFds() + 32) + ":" + hard);
            result = FdBatch.receive(receiver.intValue(), got);
        } finally {
            run("prlimit", "--pid", Long.toString(pid), "--nofile=" + soft + ":" + hard);
        }
        assertThat(result).as("-EMSGSIZE: the kernel dropped the fds that did not fit").isEqualTo(-90);
        // Those that came (up to 32) were closed: each pipe is open twice, through the two ends the test made. (Counted
        // per pipe, not as the process's fds: another thread of the test JVM may open a file meanwhile.)
        Map<String, Long> open = openPipes();
        for (int fd : readEnds) {
            String pipe = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            assertThat(open.get(pipe)).as("fds open on " + pipe).isEqualTo(2L);
        }
    }

    /** Every pipe this process has open, with how many of its fds refer to it. */
    private static Map<String, Long> openPipes() throws IOException {
        Map<String, Long> n = new java.util.HashMap<>();
        try (java.util.stream.Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : s.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("pipe:")) {
                        n.merge(target, 1L, Long::sum);
                    }
                } catch (IOException e) {
                    // closed meanwhile (the listing's own directory fd): not a pipe of ours
                }
            }
        }
        return n;
    }

    private static long openFds() throws IOException {
        try (java.util.stream.Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out;
        try (java.io.InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(p.waitFor()).as(String.join(" ", cmd) + ": " + out).isZero();
        return out;
    }

    private FileDescriptor[] open(FileDescriptor[] fds) {
        opened.addAll(List.of(fds));
        return fds;
    }

    private FileDescriptor open(FileDescriptor fd) {
        opened.add(fd);
        return fd;
    }

    private static void write(FileDescriptor fd, String s) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(64).put(s.getBytes(StandardCharsets.UTF_8)).flip();
        assertThat(fd.write(b, 0, b.limit())).isEqualTo(b.limit());
    }

    private static String read(FileDescriptor fd) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(64);
        int n = fd.read(b, 0, 64);
        byte[] bytes = new byte[n];
        b.get(0, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
