package io.jcluster.cli;

import java.io.File;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The terminal {@code jcluster monit} draws on: keys read without echo or Enter ({@code stty -icanon -echo} on
 * {@code /dev/tty}, Ctrl-C still a signal), the screen redrawn in place on the alternate screen with the cursor
 * hidden, the size read again for every frame ({@code stty size}). {@link #close} puts all of it back, also from a
 * shutdown hook (Ctrl-C, SIGTERM). Drawing and restoring are serialised, so a frame never lands after the restore.
 */
final class Terminal implements AutoCloseable {
    private static final String ENTER = "\033[?1049h\033[?25l";
    private static final String LEAVE = "\033[?25h\033[?1049l";
    private static final File TTY = new File("/dev/tty");

    private final String saved;
    private final PrintStream screen;
    private final boolean unicode;
    private final CountDownLatch quit = new CountDownLatch(1);
    private final Thread restoreOnExit = new Thread(this::restore, "jcluster-monit-terminal");
    private boolean restored;

    private Terminal(String saved, boolean unicode) {
        this.saved = saved;
        this.unicode = unicode;
        this.screen = new PrintStream(new FileOutputStream(FileDescriptor.out), false,
                unicode ? StandardCharsets.UTF_8 : StandardCharsets.US_ASCII);
    }

    /** True when this process's stdout is a terminal (seen in /proc) and /dev/tty can be opened. */
    static boolean stdoutIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/1")).toString();
            return (target.startsWith("/dev/pts/") || target.startsWith("/dev/tty")) && TTY.canRead() && TTY.canWrite();
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** Whether the locale takes UTF-8 (LC_ALL, else LC_CTYPE, else LANG): then bars are Unicode blocks. */
    static boolean utf8Locale() {
        for (String var : List.of("LC_ALL", "LC_CTYPE", "LANG")) {
            String v = System.getenv(var);
            if (v != null && !v.isEmpty()) {
                String l = v.toLowerCase(Locale.ROOT);
                return l.contains("utf-8") || l.contains("utf8");
            }
        }
        return false;
    }

    /** Takes the terminal: keys without echo, the alternate screen; {@code q} (or Q) then ends {@link #awaitQuit}. */
    static Terminal open() throws IOException, InterruptedException {
        String saved = stty("-g").trim();
        stty("-icanon", "-echo", "min", "1", "time", "0");
        Terminal t = new Terminal(saved, utf8Locale());
        Runtime.getRuntime().addShutdownHook(t.restoreOnExit);
        t.write(ENTER);
        Thread keys = new Thread(t::readKeys, "jcluster-monit-keys");
        keys.setDaemon(true);
        keys.start();
        return t;
    }

    boolean unicode() {
        return unicode;
    }

    /** Rows and columns now; 24 × 80 when the terminal does not say. */
    int[] size() {
        try {
            String[] rc = stty("size").trim().split("\\s+");
            int rows = Integer.parseInt(rc[0]);
            int cols = Integer.parseInt(rc[1]);
            if (rows > 0 && cols > 0) {
                return new int[] {rows, cols};
            }
        } catch (IOException | RuntimeException e) {
            // a terminal that does not tell its size: the classic one
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new int[] {24, 80};
    }

    /** Draws {@code lines} from the top left, clearing what is left of each line and below the last. */
    synchronized void draw(List<String> lines) {
        if (restored) {
            return;
        }
        StringBuilder sb = new StringBuilder("\033[H");
        for (int i = 0; i < lines.size(); i++) {
            sb.append(lines.get(i)).append("\033[K");
            if (i < lines.size() - 1) {
                sb.append("\r\n");
            }
        }
        sb.append("\033[J");
        write(sb.toString());
    }

    /** Waits up to {@code millis}; true once {@code q} was pressed. */
    boolean awaitQuit(long millis) throws InterruptedException {
        return quit.await(millis, TimeUnit.MILLISECONDS);
    }

    private void readKeys() {
        try (InputStream in = new FileInputStream(TTY)) {
            for (int c; (c = in.read()) >= 0; ) {
                if (c == 'q' || c == 'Q') {
                    quit.countDown();
                    return;
                }
            }
        } catch (IOException e) {
            // the terminal went away: the frames stop with it
        }
    }

    private void write(String s) {
        screen.print(s);
        screen.flush();
    }

    /** Leaves the alternate screen, shows the cursor and puts the terminal's modes back. */
    private synchronized void restore() {
        if (restored) {
            return;
        }
        restored = true;
        write(LEAVE);
        try {
            stty(saved);
        } catch (IOException e) {
            System.err.println("jcluster: could not restore the terminal (" + e.getMessage() + "); 'stty sane' does");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        restore();
        try {
            Runtime.getRuntime().removeShutdownHook(restoreOnExit);
        } catch (IllegalStateException e) {
            // the JVM is exiting: the hook has run or runs now
        }
    }

    /** Runs stty on /dev/tty; its output. */
    private static String stty(String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("stty"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(TTY))
                .redirectError(ProcessBuilder.Redirect.PIPE).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("stty " + String.join(" ", args) + " failed: " + err.trim());
        }
        return out;
    }
}
