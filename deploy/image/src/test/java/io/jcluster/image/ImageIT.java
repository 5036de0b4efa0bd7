package io.jcluster.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcluster.testkit.RealProcess;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The container image Jib wrote to {@code target/jcluster-image.tar}, checked as a container runtime would use it:
 * its layers unpacked into one root, its entrypoint and arguments run with the image's environment. No container
 * runtime is available here, so the image's filesystem runs with this build's java, its paths under the unpacked
 * root instead of {@code /}.
 */
class ImageIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path TAR = Path.of("target", "jcluster-image.tar").toAbsolutePath();
    private static Path root;
    private static JsonNode config;

    @BeforeAll
    static void unpack() throws Exception {
        root = Files.createTempDirectory("jcluster-image-");
        Path image = Files.createDirectories(root.resolve("image"));
        untar(TAR, image, false);
        JsonNode manifest = JSON.readTree(image.resolve("manifest.json").toFile()).get(0);
        config = JSON.readTree(image.resolve(manifest.get("Config").asText()).toFile()).get("config");
        Path fs = Files.createDirectories(root.resolve("fs"));
        for (JsonNode layer : manifest.get("Layers")) {
            untar(image.resolve(layer.asText()), fs, true);
        }
    }

    @AfterAll
    static void remove() throws Exception {
        if (root != null) {
            run(List.of("rm", "-rf", root.toString()));
        }
    }

    private static void untar(Path tar, Path into, boolean gzip) throws Exception {
        run(List.of("tar", gzip ? "-xzf" : "-xf", tar.toString(), "-C", into.toString(),
                "--warning=no-unknown-keyword"));
    }

    private static void run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
        assertThat(p.exitValue()).as("%s: %s", command, out).isZero();
    }

    private static Path fs() {
        return root.resolve("fs");
    }

    @Test
    void theImageRunsBinJclusterStartOfTheDemoInTheForeground() {
        assertThat(texts(config.get("Entrypoint"))).containsExactly("/opt/jcluster/bin/jcluster");
        assertThat(texts(config.get("Cmd"))).containsExactly("start", "/opt/jcluster/examples/hello.jar", "--name",
                "demo", "--admin", "0.0.0.0:8001", "--", "--port", "8000");
        assertThat(config.get("ExposedPorts").has("8000/tcp")).isTrue();
        assertThat(config.get("ExposedPorts").has("8001/tcp")).isTrue();
        assertThat(texts(config.get("Env"))).contains("JCLUSTER_HOME=/tmp/jcluster",
                "JCLUSTER_AGENT_JAR=/opt/jcluster/lib/jcluster-agent.jar");
        assertThat(fs().resolve("opt/jcluster/bin/jcluster")).isExecutable();
        for (String f : List.of("jcluster-cli/target/jcluster.jar", "lib/jcluster-agent.jar", "examples/hello.jar",
                "examples/plain-http.jar")) {
            assertThat(fs().resolve("opt/jcluster").resolve(f)).isRegularFile();
        }
    }

    @Test
    void theEntrypointStartsTheDemoWhichAnswersAndStopsOnSigterm() throws Exception {
        int port = freePort();
        int admin = freePort();
        List<String> args = new ArrayList<>(texts(config.get("Cmd")));
        args.set(args.indexOf("8000"), Integer.toString(port));
        args.set(args.indexOf("0.0.0.0:8001"), "127.0.0.1:" + admin);
        args.addAll(args.indexOf("--"), List.of("--instances", "2"));
        try (RealProcess p = start(args)) {
            p.await("Dashboard: http://127\\.0\\.0\\.1:" + admin + "/", Duration.ofSeconds(90));
            Set<String> pids = answering(port, Pattern.compile("\\{\"message\":\"Hello from worker (\\d+)\"}"),
                    Duration.ofSeconds(60));
            assertThat(pids).as("workers that answered; output:\n%s", p.output()).hasSize(2);
            assertThat(status(admin, "/readyz")).isEqualTo(200);
            assertThat(status(admin, "/healthz")).isEqualTo(200);

            p.descendants();
            p.signal("TERM"); // what the kubelet sends to the container's process
            assertThat(p.waitFor(Duration.ofSeconds(60))).as("exit status after SIGTERM; output:\n%s", p.output())
                    .isNotNull();
            assertThat(get(port, "/")).isNull();
        }
    }

    @Test
    void theUnmodifiedExampleJarRunsFromTheImage() throws Exception {
        int port = freePort();
        List<String> args = List.of("start", "/opt/jcluster/examples/plain-http.jar", "--name", "plain",
                "--instances", "2", "--", "--port", Integer.toString(port));
        try (RealProcess p = start(args)) {
            Set<String> pids = answering(port, Pattern.compile("\\{\"message\":\"Hello from pid (\\d+)\"}"),
                    Duration.ofSeconds(90));
            assertThat(pids).as("pids that answered; output:\n%s", p.output()).hasSize(2);
        }
    }

    /**
     * New connections to {@code port} until two distinct pids answered with {@code answer} (group 1: the pid), or
     * the deadline; the pids seen.
     */
    private static Set<String> answering(int port, Pattern answer, Duration within) {
        Set<String> pids = new HashSet<>();
        try {
            org.awaitility.Awaitility.await().atMost(within).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        String body = get(port, "/");
                        Matcher m = body == null ? null : answer.matcher(body);
                        if (m != null && m.matches()) {
                            pids.add(m.group(1));
                        }
                        return pids.size() >= 2;
                    });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // the caller's assertion says how many answered
        }
        return pids;
    }

    /** The image's entrypoint with {@code args}, its paths under the unpacked root, with the image's environment. */
    private static RealProcess start(List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>();
        for (String s : texts(config.get("Entrypoint"))) {
            cmd.add(inRoot(s));
        }
        for (String a : args) {
            cmd.add(inRoot(a));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(fs().resolve("opt/jcluster").toFile());
        Map<String, String> env = pb.environment();
        for (String kv : texts(config.get("Env"))) {
            int eq = kv.indexOf('=');
            env.put(kv.substring(0, eq), inRoot(kv.substring(eq + 1)));
        }
        return RealProcess.start(pb, "image-entrypoint");
    }

    /** An absolute path of the image under the unpacked root ({@code /tmp/jcluster} in a directory of the test's). */
    private static String inRoot(String s) {
        if (s.startsWith("/opt/jcluster")) {
            return fs() + s;
        }
        if (s.startsWith("/tmp/jcluster")) {
            return root.resolve("tmp") + s.substring("/tmp".length());
        }
        return s;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The body of GET path on a new connection, or null when nothing answers. */
    private static String get(int port, String path) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
            c.setRequestProperty("Connection", "close");
            c.setConnectTimeout(2000);
            c.setReadTimeout(5000);
            try (InputStream in = c.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            return null;
        }
    }

    private static int status(int port, String path) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
        c.setConnectTimeout(2000);
        c.setReadTimeout(5000);
        return c.getResponseCode();
    }
}
