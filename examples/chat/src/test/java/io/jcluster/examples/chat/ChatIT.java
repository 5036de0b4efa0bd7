package io.jcluster.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import io.jcluster.testkit.RealProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chat as users run it: a primary and two worker JVMs on one port (round-robin), and real WebSocket clients
 * from npm ({@code ws}, in {@code src/test/node}, installed there by {@code npm ci} when missing): two clients on
 * workers of different pids hear each other, through {@code Cluster.broadcast}.
 *
 * <p>Needs {@code node} and {@code npm} on PATH: fails, saying so, without.
 */
class ChatIT {
    private static final Path NODE = Path.of("src/test/node").toAbsolutePath();
    private static final Duration BOOT = Duration.ofSeconds(120);

    @BeforeAll
    static void installClient() throws Exception {
        if (!Files.isRegularFile(NODE.resolve("node_modules/ws/package.json"))) {
            ProcessBuilder npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(NODE.toFile());
            try (RealProcess p = RealProcess.start(npm, "npm ci")) {
                Integer exit = p.waitFor(Duration.ofMinutes(5));
                assertThat(exit).as("npm ci in %s (needs node and npm on PATH):%n%s", NODE, p.output()).isEqualTo(0);
            }
        }
    }

    @Test
    void twoClientsOnDifferentWorkersHearEachOther() throws Exception {
        ProcessBuilder chat = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                ChatApp.class.getName(), "--port", "0", "--workers", "2");
        chat.environment().put("JCLUSTER_CDS_DIR", "off");
        try (RealProcess primary = RealProcess.start(chat, "chat")) {
            String regex = "Chat worker \\d+ \\(pid (\\d+)\\) listening on port (\\d+)";
            Matcher first = primary.await(regex, BOOT);
            Matcher second = primary.await(regex, BOOT);
            assertThat(second.group(1)).isNotEqualTo(first.group(1));
            assertThat(second.group(2)).isEqualTo(first.group(2)); // one port, shared
            String port = first.group(2);

            ProcessBuilder node = new ProcessBuilder("node", "chat-check.mjs", port).directory(NODE.toFile());
            try (RealProcess clients = RealProcess.start(node, "chat-check")) {
                String result;
                try {
                    result = clients.await("^RESULT (.*)$", Duration.ofSeconds(90)).group(1);
                } catch (AssertionError e) {
                    throw new AssertionError("chat-check.mjs:\n" + clients.output() + "\nchat:\n" + primary.output(), e);
                }
                var r = new com.fasterxml.jackson.databind.ObjectMapper().readTree(result);
                assertThat(r.path("ok").asBoolean()).as(result + "\nchat:\n" + primary.output()).isTrue();
                long a = r.get("pidA").asLong(), b = r.get("pidB").asLong();
                assertThat(a).isNotEqualTo(b);
                assertThat(List.of(a, b)).allMatch(pid -> pid == Long.parseLong(first.group(1))
                        || pid == Long.parseLong(second.group(1)));
                assertThat(r.get("bHeardFromPid").asLong()).as("B heard A's line, said on A's worker").isEqualTo(a);
                assertThat(r.get("aHeardFromPid").asLong()).as("A heard B's line, said on B's worker").isEqualTo(b);
                clients.process().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }
}
