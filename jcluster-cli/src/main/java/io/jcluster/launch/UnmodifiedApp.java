package io.jcluster.launch;

import io.jcluster.contract.CliException;
import io.jcluster.contract.ExitCode;
import io.jcluster.cluster.ClusterSettings;
import io.jcluster.internal.CacheDir;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * How the workers run the application: through {@link Application#WORKER_MAIN} (an application written against
 * jcluster's API: its {@code listen()} asks the primary), or as it is, with jcluster's agent
 * ({@code -javaagent}), which serves every listening socket the unmodified application binds from the primary.
 *
 * <p>{@code --agent auto} (the default) decides by the application's own classes: one that references
 * {@code io/jcluster/cluster/} or {@code io/jcluster/http/} (jcluster's API) is a jcluster application. Looked at:
 * every class of the application jar (a Spring Boot jar's nested library jars are not opened) and of each
 * classpath directory or jar; for a classpath wildcard ({@code lib/*}) only the names of the jars' entries (a
 * jar that holds jcluster itself). {@code --agent on} or {@code off} overrides it.
 */
public final class UnmodifiedApp {
    /** Where {@code jcluster-agent.jar} is inside the command line's jar (put there by the build). */
    static final String AGENT_RESOURCE = "/io/jcluster/control/jcluster-agent.jar";
    /** Names an agent jar to use instead of the one inside the command line's jar. */
    public static final String ENV_AGENT_JAR = "JCLUSTER_AGENT_JAR";
    private static final byte[][] API = {bytes("io/jcluster/cluster/"), bytes("io/jcluster/http/")};

    private UnmodifiedApp() {
    }

    /** Whether the workers run the application with the agent, as {@code --agent} ({@code auto|on|off}) says. */
    public static boolean applies(StartSpec spec) {
        return switch (spec.agent) {
            case "on" -> true;
            case "off" -> false;
            default -> !usesJclusterApi(spec);
        };
    }

    static String mode(String s) {
        String m = s.trim().toLowerCase(Locale.ROOT);
        if (!m.equals("auto") && !m.equals("on") && !m.equals("off")) {
            throw new IllegalArgumentException("'" + s + "' is not auto, on or off");
        }
        return m;
    }

    /**
     * Sets the workers' command in {@code settings}: {@code java <jvm> [--enable-native-access=ALL-UNNAMED]
     * -javaagent:AGENT -jar APP.jar ARGS}, or {@code -cp CP MAIN ARGS} with {@code --main-class}.
     */
    public static ClusterSettings configure(ClusterSettings settings, StartSpec spec, Application app, List<String> jvm) {
        List<String> flags = new ArrayList<>(jvm);
        if (Runtime.version().feature() >= 22) {
            // The agent loads JNI libraries (Netty's epoll, jcluster's): said here, JDK 22+ prints no warning.
            // (JDK 17 knows the flag only for its incubating foreign API; it needs none.)
            flags.add("--enable-native-access=ALL-UNNAMED");
        }
        flags.add("-javaagent:" + agentJar());
        settings.jvmArgs(flags).args(spec.args);
        if (spec.jar != null && spec.mainClass == null && spec.classpath == null) {
            return settings.jar(spec.jar.toAbsolutePath().normalize());
        }
        List<String> cp = new ArrayList<>(List.of(app.classpath().split(java.io.File.pathSeparator)));
        cp.remove(cp.size() - 1); // Application put the jcluster jar last: the agent brings what a worker needs
        return settings.mainClass(app.mainClass()).classpath(String.join(java.io.File.pathSeparator, cp));
    }

    /**
     * For a Spring Boot fat jar, the hint that its extracted layout starts faster: the classes of a fat jar load from
     * its nested jars through Spring Boot's own class loader, which no class data archive holds (the workers' archive
     * has the JDK's and the loader's only); extracted ({@code java -Djarmode=tools -jar APP.jar extract}) they load
     * from plain jars and the archive holds them too (figures: README, "JDK 25"). The start extracts a jar that has
     * Spring Boot's tools jar mode itself ({@link BootJarCopy}); this hint is for one without it. Null for any other
     * application, or when class data sharing or extraction is off ({@code JCLUSTER_CDS_DIR=off},
     * {@code JCLUSTER_EXTRACT=off}).
     */
    static String classDataHint(StartSpec spec) {
        if (spec.jar == null || spec.mainClass != null || "off".equals(System.getenv("JCLUSTER_CDS_DIR"))
                || "off".equals(System.getenv(BootJarCopy.ENV))) {
            return null;
        }
        String main;
        try {
            main = Application.manifestMain(spec.jar);
        } catch (CliException e) {
            return null; // the start reports it
        }
        if (!main.startsWith("org.springframework.boot.loader.")) {
            return null;
        }
        String jar = spec.jar.getFileName().toString();
        return jar + " is a Spring Boot fat jar: its classes load from nested jars, which class data archives cannot "
                + "hold; its workers start faster extracted (jcluster extracts a jar built by Spring Boot 3.3 or later with"
                + " its tools jar mode; this one has none): unpack it as its Spring Boot version documents and start the"
                + " unpacked application with jcluster";
    }

    /** The agent jar: {@value #ENV_AGENT_JAR}, else the one inside this jar, copied once to the cache ({@link CacheDir}: $XDG_CACHE_HOME/jcluster/agent or ~/.cache/jcluster/agent). */
    static Path agentJar() {
        String env = System.getenv(ENV_AGENT_JAR);
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env).toAbsolutePath();
            if (!Files.isRegularFile(p)) {
                throw new CliException(ExitCode.FAILED, ENV_AGENT_JAR + "=" + env + " is not a file");
            }
            return p;
        }
        try (InputStream in = UnmodifiedApp.class.getResourceAsStream(AGENT_RESOURCE)) {
            if (in == null) {
                throw new CliException(ExitCode.FAILED, "this jcluster jar was built without jcluster-agent.jar, which "
                        + "runs an application not written against jcluster's API; rebuild (mvn -pl jcluster-cli -am "
                        + "package) or pass --agent off");
            }
            byte[] jar = in.readAllBytes();
            String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(jar), 0, 8);
            Path dir = CacheDir.of("agent");
            Files.createDirectories(dir);
            Path file = dir.resolve("jcluster-agent-" + hash + ".jar");
            if (!Files.exists(file)) {
                Path tmp = Files.createTempFile(dir, "agent", ".tmp");
                Files.write(tmp, jar);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            return file;
        } catch (IOException | GeneralSecurityException e) {
            throw new CliException(ExitCode.FAILED, "could not unpack jcluster's agent jar: " + e.getMessage());
        }
    }

    /** Whether the application's own classes reference jcluster's API (see the class comment). */
    static boolean usesJclusterApi(StartSpec spec) {
        List<String> entries = new ArrayList<>();
        if (spec.jar != null) {
            entries.add(spec.jar.toString());
        }
        if (spec.classpath != null) {
            entries.addAll(List.of(spec.classpath.split(java.io.File.pathSeparator)));
        }
        for (String e : entries) {
            if (e.isEmpty()) {
                continue;
            }
            try {
                if (e.endsWith("*")) {
                    try (Stream<Path> jars = Files.list(Path.of(e.substring(0, e.length() - 1)))) {
                        for (Path j : jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
                            if (holdsJcluster(j)) {
                                return true;
                            }
                        }
                    }
                } else if (Files.isDirectory(Path.of(e))) {
                    try (Stream<Path> classes = Files.walk(Path.of(e))) {
                        for (Path c : classes.filter(p -> p.toString().endsWith(".class")).toList()) {
                            if (referencesApi(Files.readAllBytes(c))) {
                                return true;
                            }
                        }
                    }
                } else if (Files.isRegularFile(Path.of(e)) && jarReferencesApi(Path.of(e))) {
                    return true;
                }
            } catch (IOException ex) {
                throw new CliException(ExitCode.APP_NOT_FOUND, "could not read " + e + " (" + ex.getMessage() + ")");
            }
        }
        return false;
    }

    private static boolean holdsJcluster(Path jar) throws IOException {
        try (JarFile f = new JarFile(jar.toFile())) {
            return f.stream().anyMatch(x -> x.getName().startsWith("io/jcluster/cluster/")
                    || x.getName().startsWith("io/jcluster/http/"));
        }
    }

    private static boolean jarReferencesApi(Path jar) throws IOException {
        try (JarFile f = new JarFile(jar.toFile())) {
            for (Enumeration<JarEntry> en = f.entries(); en.hasMoreElements(); ) {
                JarEntry x = en.nextElement();
                if (!x.getName().endsWith(".class")) {
                    continue;
                }
                try (InputStream in = f.getInputStream(x)) {
                    if (referencesApi(in.readAllBytes())) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    static boolean referencesApi(byte[] classFile) {
        for (byte[] needle : API) {
            if (indexOf(classFile, needle) >= 0) {
                return true;
            }
        }
        return false;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
