package io.jcluster.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jcluster.testkit.RealProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The alive lock across real processes: the watcher learns of the holder's death, however it dies. */
@Timeout(120)
class AliveLockTest {
    @TempDir
    Path dir;

    /** A JVM that takes the lock, says so, and lives until killed or told to exit. */
    public static final class Holder {
        public static void main(String[] args) throws Exception {
            AliveLock.hold(Path.of(args[0]));
            System.out.println("held");
            if (new java.io.BufferedReader(new java.io.InputStreamReader(System.in)).readLine() != null) {
                System.exit(3);
            }
            Thread.currentThread().join(); // stdin closed: held until killed
        }
    }

    @Test
    void theWatcherLearnsOfAKilledHoldersDeathAndTheFileMayGoOnceBothMappedIt() throws Exception {
        assertThat(AliveLock.AVAILABLE).as("the build made libjcluster-alive (gcc is on the build machine)").isTrue();
        Path file = dir.resolve("w.alive");
        AliveLock.create(file);
        try (RealProcess holder = holder(file)) {
            holder.await("held", Duration.ofSeconds(60));
            CompletableFuture<Integer> released = watch(file);
            Files.delete(file); // both processes have it mapped: nothing is left on disk
            assertThatThrownBy(() -> released.get(200, TimeUnit.MILLISECONDS)).as("released while its holder lives")
                    .isInstanceOf(TimeoutException.class);
            holder.signal("KILL");
            assertThat(released.get(30, TimeUnit.SECONDS)).as("1: the holder died").isEqualTo(1);
        }
    }

    @Test
    void anOrdinaryExitReleasesItToo() throws Exception {
        assertThat(AliveLock.AVAILABLE).isTrue();
        Path file = dir.resolve("w.alive");
        AliveLock.create(file);
        try (RealProcess holder = holder(file)) {
            holder.await("held", Duration.ofSeconds(60));
            CompletableFuture<Integer> released = watch(file);
            holder.send("exit");
            assertThat(released.get(30, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(holder.waitFor(Duration.ofSeconds(30))).isEqualTo(3);
        }
    }

    @Test
    void aLockNoOneHoldsIsReportedAsSuchAndOneHolderOnly() throws Exception {
        assertThat(AliveLock.AVAILABLE).isTrue();
        Path file = dir.resolve("w.alive");
        AliveLock.create(file);
        // No holder (a worker without the library): the watcher returns at once with 0, and no death is told.
        assertThat(watch(file).get(30, TimeUnit.SECONDS)).isZero();
        try (RealProcess holder = holder(file)) {
            holder.await("held", Duration.ofSeconds(60));
            assertThatThrownBy(() -> AliveLock.hold(file)).isInstanceOf(IOException.class)
                    .hasMessageContaining("could not hold the alive lock").hasMessageContaining("errno 16"); // EBUSY
            assertThatThrownBy(() -> AliveLock.create(file)).isInstanceOf(IOException.class)
                    .hasMessageContaining("errno 17"); // EEXIST: never re-initialised under a holder
        }
        assertThatThrownBy(() -> AliveLock.hold(dir.resolve("missing.alive"))).isInstanceOf(IOException.class)
                .hasMessageContaining("errno 2");
        assertThatThrownBy(() -> AliveLock.create(dir.resolve("no-such-dir").resolve("w.alive")))
                .isInstanceOf(IOException.class).hasMessageContaining("errno 2");
        assertThat(dir.resolve("no-such-dir")).doesNotExist();
    }

    private static CompletableFuture<Integer> watch(Path file) throws IOException {
        CompletableFuture<Integer> released = new CompletableFuture<>();
        AliveLock.watch(file, "alive-lock-test", released::complete);
        return released;
    }

    private static RealProcess holder(Path file) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return RealProcess.start(new ProcessBuilder(List.of(java, "-cp",
                System.getProperty("java.class.path"), Holder.class.getName(), file.toString())), "alive-lock holder");
    }
}
