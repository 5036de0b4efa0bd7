package io.jcluster.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcluster.contract.ExitCode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, hot spares: a spare listens but gets no connection until promoted; kill -9 of a worker in rotation
 * promotes it (it serves new connections, none of which fails), and the dead worker's restart is the next spare.
 */
@Timeout(240)
class SparesIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path home;

    @Test
    void aSpareGetsNoConnectionUntilAKillPromotesItAndANewSpareTakesItsRole() throws Exception {
        Jcluster cli = new Jcluster(home);
        try (Jcluster.Running primary = cli.start(Jcluster.testApp("sp", 2, "--spares", "1", "--", "--port", "0"))) {
            // A loaded 2-core machine took over 60 s to boot three workers: a longer bound than awaitUp's.
            int port = Integer.parseInt(primary.await("is up: \\d+ worker\\(s\\) listening on \\S*:(\\d+)",
                    Duration.ofSeconds(180)).group(1));
            assertThat(primary.output()).contains("1 hot spare(s) out of rotation");
            JsonNode ws = ClusterIT.workers(cli, "sp");
            assertThat(ws).hasSize(3);
            long spare = -1;
            List<Long> rotation = new ArrayList<>();
            for (JsonNode w : ws) {
                if (w.get("spare").asBoolean()) {
                    spare = w.get("pid").asLong();
                } else {
                    rotation.add(w.get("pid").asLong());
                }
            }
            assertThat(spare).as("one spare in " + ws).isPositive();
            assertThat(cli.run("status", "sp").out()).contains("listening (spare)");

            Set<Long> served = new HashSet<>();
            for (int i = 0; i < 40; i++) {
                served.add(pid(port));
            }
            assertThat(served).as("40 new connections").containsExactlyInAnyOrderElementsOf(rotation);

            long victim = rotation.get(0);
            new ProcessBuilder("kill", "-9", Long.toString(victim)).start().waitFor();
            primary.await("promoted from hot spare into rotation in place of worker \\d+ \\(pid " + victim + "\\)");
            // Seen by its alive lock as its threads exited, before its links ended and before the promotion.
            String out = primary.output();
            int exiting = out.indexOf("(pid " + victim + ") is exiting: its alive lock was let go");
            assertThat(exiting).as(out).isNotNegative();
            assertThat(out.indexOf("promoted in place of worker", exiting)).as(out).isPositive();
            long promoted = spare;
            Set<Long> after = new HashSet<>();
            int failed = 0;
            for (int i = 0; i < 40; i++) {
                try {
                    after.add(pid(port));
                } catch (java.io.IOException e) {
                    failed++;
                }
            }
            assertThat(failed).as("failed requests on new connections after the kill").isZero();
            assertThat(after).contains(promoted).doesNotContain(victim);

            await().alias("a new spare, started in the dead worker's slot").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
                        JsonNode now = ClusterIT.workers(cli, "sp");
                        List<Long> spares = new ArrayList<>();
                        for (JsonNode w : now) {
                            if (w.get("spare").asBoolean() && w.get("state").asText().equals("listening")) {
                                spares.add(w.get("pid").asLong());
                            }
                        }
                        assertThat(spares).hasSize(1).doesNotContain(promoted, victim);
                    });
            assertThat(primary.output()).contains("as a hot spare");

            // A reload replaces the spare first, then promotes the new generation's spare in place of a worker.
            Jcluster.Result reload = cli.run(Duration.ofSeconds(180), "reload", "sp");
            assertThat(reload.exit()).as(reload.all()).isZero();
            assertThat(primary.output()).containsPattern("promoted from hot spare into rotation in place of worker \\d+ "
                    + "\\(pid \\d+\\) \\(a reload\\)");
            await().alias("2 in rotation and 1 spare, all of generation 2").atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
                        JsonNode now = ClusterIT.workers(cli, "sp");
                        assertThat(now).hasSize(3).allMatch(w -> w.get("generation").asInt() == 2
                                && w.get("state").asText().equals("listening") && !w.has("leaving"));
                        assertThat(now).filteredOn(w -> w.get("spare").asBoolean()).hasSize(1);
                    });
        }
    }

    @Test
    void sparesForAnUnmodifiedServerAreAUsageError() throws Exception {
        Path jar = home.resolve("http-app.jar"); // the JDK HttpServer app, as UnmodifiedAppIT builds it
        java.util.jar.Manifest m = new java.util.jar.Manifest();
        m.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(java.util.jar.Attributes.Name.MAIN_CLASS, "unmodified.JdkHttpApp");
        try (var out = new java.util.jar.JarOutputStream(java.nio.file.Files.newOutputStream(jar), m)) {
            out.putNextEntry(new java.util.jar.JarEntry("unmodified/JdkHttpApp.class"));
            out.write(java.nio.file.Files.readAllBytes(Jcluster.TEST_CLASSES.resolve("unmodified/JdkHttpApp.class")));
            out.closeEntry();
        }
        Jcluster.Result r = new Jcluster(home).run("start", "--name", "plain", "--instances", "1", "--spares", "1",
                jar.toString());
        assertThat(r.exit()).as(r.all()).isEqualTo(ExitCode.USAGE.code());
        assertThat(r.err()).contains("--spares needs an application that uses jcluster's API");
    }

    private static long pid(int port) throws java.io.IOException {
        return JSON.readTree(RawHttp.get(port, "/").body()).get("pid").asLong();
    }
}
