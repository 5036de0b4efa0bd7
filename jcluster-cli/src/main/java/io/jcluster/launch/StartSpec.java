package io.jcluster.launch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.jcluster.admin.AdminAddress;
import io.jcluster.cluster.Balance;
import io.jcluster.cluster.RestartPolicy;
import io.jcluster.contract.CliException;
import io.jcluster.contract.ExitCode;
import io.jcluster.contract.Units;
import io.jcluster.registry.Registry;
import io.jcluster.supervise.Capacity;
import io.jcluster.supervise.FleetSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything {@code jcluster start} is told: the application, how many workers, the supervision policies and
 * the logs. Filled from a YAML config file and then from the flags (which win); every flag {@code --KEY} has
 * the config key {@code KEY} (the application jar is {@code app}, its arguments {@code args}). Values are
 * checked as they are set, with a message naming the flag or key.
 */
public final class StartSpec {
    /** The config keys, which are the flags' names. */
    public static final Set<String> KEYS = Set.of("app", "main-class", "classpath", "name", "instances", "args",
            "daemon", "jvm-args", "env", "max-memory", "max-requests", "max-requests-jitter", "hang-timeout",
            "ready-timeout", "drain-timeout", "reload-parallel", "autorestart", "restart-delay", "restart-backoff",
            "restart-max-delay", "restart-reset-after", "max-restarts", "restart-window", "log-dir", "log-max-size",
            "log-max-files", "force", "agent", "admin", "admin-token", "adminToken", "min-ready", "minReady",
            "balance", "spares");

    public Path jar;
    public String mainClass;
    public String classpath;
    public String name;
    /** {@code max}, {@code N}, or an adaptive range {@code MIN..MAX} ({@code MAX} may be {@code max}). */
    public String instances = "max";
    /** Hot spares: workers started out of rotation, promoted at once when a worker dies. */
    public int spares;
    public List<String> args = List.of();
    public boolean daemon;
    public List<String> jvmArgs = List.of();
    public Map<String, String> env = Map.of();
    public long maxMemory;
    public long maxRequests;
    public long maxRequestsJitter;
    public Duration hangTimeout = Duration.ofSeconds(30);
    public Duration readyTimeout = Duration.ofSeconds(60);
    public Duration drainTimeout = Duration.ofSeconds(30);
    public int reloadParallel = 1;
    public boolean autorestart = true;
    public Duration restartDelay = RestartPolicy.BACKOFF.initialDelay();
    public double restartBackoff = RestartPolicy.BACKOFF.factor();
    public Duration restartMaxDelay = RestartPolicy.BACKOFF.maxDelay();
    public Duration restartResetAfter = RestartPolicy.BACKOFF.resetAfter();
    public int maxRestarts = RestartPolicy.BACKOFF.maxRestarts();
    public Duration restartWindow = RestartPolicy.BACKOFF.window();
    public Path logDir;
    public long logMaxSize = 10L << 20;
    public int logMaxFiles = 5;
    /** Start the workers even beyond the machine's {@link Capacity}. */
    public boolean force;
    /** auto, on or off: whether workers run the application as it is, with jcluster's agent ({@link UnmodifiedApp}). */
    public String agent = "auto";
    /** Where the admin endpoint listens ({@code --admin [HOST:]PORT}); null: none ({@code off}, the default). */
    public AdminAddress admin;
    /** The token that mutations of the admin endpoint need; null: read-only (or env JCLUSTER_ADMIN_TOKEN). */
    public String adminToken;
    /** Fewer workers listening than this: {@code /readyz} answers 503. */
    public int minReady = 1;
    /** How the primary picks the worker of each new connection ({@code --balance}). */
    public Balance balance = Balance.RR;

    /** Reads a YAML config file into this spec; relative paths in it are relative to the file. */
    public StartSpec load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new CliException(ExitCode.USAGE, "config file " + file + " does not exist");
        }
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (IOException e) {
            throw new CliException(ExitCode.USAGE, "config file " + file + " is not valid YAML: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return this;
        }
        if (!root.isObject()) {
            throw new CliException(ExitCode.USAGE, "config file " + file + " must be a map of settings");
        }
        Path base = file.toAbsolutePath().getParent();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            set(e.getKey(), e.getValue(), base, "key '" + e.getKey() + "' in " + file);
        }
        return this;
    }

    /** Sets one setting from a config value or a flag's text; {@code where} names it in an error. */
    public void set(String key, JsonNode v, Path base, String where) {
        if (!KEYS.contains(key)) {
            throw new CliException(ExitCode.USAGE, "unknown " + where + " (known keys: " + String.join(", ",
                    KEYS.stream().sorted().toList()) + ")");
        }
        try {
            switch (key) {
                case "app" -> {
                    jar = base.resolve(text(v));
                    mainClass = null;
                }
                case "main-class" -> mainClass = text(v);
                case "classpath" -> classpath = resolveClasspath(text(v), base);
                case "name" -> name = Registry.checkName(text(v));
                case "instances" -> instances = instances(text(v));
                case "args" -> args = list(v, false);
                case "daemon" -> daemon = bool(v);
                case "jvm-args" -> jvmArgs = list(v, true);
                case "env" -> env = map(v);
                case "max-memory" -> maxMemory = Units.size(text(v));
                case "max-requests" -> maxRequests = nonNegative(Long.parseLong(text(v)));
                case "max-requests-jitter" -> maxRequestsJitter = nonNegative(Long.parseLong(text(v)));
                case "hang-timeout" -> hangTimeout = text(v).equals("off") ? Duration.ZERO : Units.duration(text(v));
                case "ready-timeout" -> readyTimeout = positive(Units.duration(text(v)));
                case "drain-timeout" -> drainTimeout = Units.duration(text(v));
                case "reload-parallel" -> reloadParallel = (int) Math.max(1, positive(Long.parseLong(text(v))));
                case "autorestart" -> autorestart = bool(v);
                case "restart-delay" -> restartDelay = Units.duration(text(v));
                case "restart-backoff" -> restartBackoff = atLeastOne(Double.parseDouble(text(v)));
                case "restart-max-delay" -> restartMaxDelay = Units.duration(text(v));
                case "restart-reset-after" -> restartResetAfter = Units.duration(text(v));
                case "max-restarts" -> maxRestarts = (int) nonNegative(Long.parseLong(text(v)));
                case "restart-window" -> restartWindow = positive(Units.duration(text(v)));
                case "log-dir" -> logDir = base.resolve(text(v));
                case "log-max-size" -> logMaxSize = Units.size(text(v));
                case "log-max-files" -> logMaxFiles = (int) nonNegative(Long.parseLong(text(v)));
                case "force" -> force = bool(v);
                case "agent" -> agent = UnmodifiedApp.mode(text(v));
                case "admin" -> admin = text(v).equals("off") ? null : AdminAddress.parse(text(v));
                case "admin-token", "adminToken" -> adminToken = token(text(v));
                case "min-ready", "minReady" -> minReady = (int) positive(Long.parseLong(text(v)));
                case "balance" -> balance = Balance.parse(text(v));
                case "spares" -> spares = (int) nonNegative(Long.parseLong(text(v)));
                default -> throw new IllegalStateException(key);
            }
        } catch (CliException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CliException(ExitCode.USAGE, "bad value for " + where + ": " + e.getMessage());
        }
    }

    /** The core's restart policy from the restart settings. */
    /** What the coordinator keeps: the worker count, the deadlines, the recycling policies, the memory split. */
    public FleetSpec fleetSpec() {
        long budget = Capacity.memoryBudget();
        return new FleetSpec(instanceCount(), readyTimeout, drainTimeout, hangTimeout, maxMemory, maxRequests,
                maxRequestsJitter, autorestart, memoryPerWorker(budget), budget, ExpectedPort.of(args, jvmArgs, env),
                spares, instanceCount(), maxInstances());
    }

    /** Each worker's share of {@code budget} ({@link MemorySplit}), 0 when the user sized the workers' memory. */
    long memoryPerWorker(long budget) {
        return MemorySplit.userSized(jvmArgs) ? 0 : MemorySplit.share(budget, plannedWorkers());
    }

    public RestartPolicy restartPolicy() {
        if (!autorestart) {
            return RestartPolicy.NEVER;
        }
        return new RestartPolicy(true, restartDelay, restartBackoff, restartMaxDelay, restartResetAfter, maxRestarts,
                restartWindow);
    }

    /** Throws the usage error when the workers asked for exceed {@code machine}'s capacity and {@link #force} is off. */
    public void checkCapacity(Capacity machine) {
        String no = force ? null : machine.refusal(0, instanceCount() + spares, 0);
        if (no != null) {
            throw new CliException(ExitCode.USAGE, "refusing to start " + (instanceCount() + spares) + " workers: " + no
                    + "; --force starts them anyway");
        }
    }

    /**
     * The number of workers: {@code max} is one per processor the JVM may use, which follows the container's CPU
     * quota (cgroup {@code cpu.max}) and the CPUs it may run on.
     */
    public int instanceCount() {
        int range = instances.indexOf("..");
        return count(range < 0 ? instances : instances.substring(0, range));
    }

    /** The most workers in rotation: {@code MAX} of an adaptive range, else {@link #instanceCount()}. */
    public int maxInstances() {
        int range = instances.indexOf("..");
        return range < 0 ? instanceCount() : count(instances.substring(range + 2));
    }

    /** True for {@code --instances MIN..MAX}: the primary sizes the cluster by load within the range. */
    public boolean adaptive() {
        return instances.contains("..");
    }

    /** The most workers that may run at once: the most in rotation and the spares (the memory split's divisor). */
    int plannedWorkers() {
        return maxInstances() + spares;
    }

    private static int count(String n) {
        return n.equals("max") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(n);
    }

    static String instances(String s) {
        int range = s.indexOf("..");
        if (range >= 0) {
            String lo = s.substring(0, range);
            String hi = s.substring(range + 2);
            if (lo.equals("max")) {
                throw new IllegalArgumentException("'" + s + "': the range's lower end must be a number (MIN..MAX)");
            }
            instances(lo);
            instances(hi);
            if (!hi.equals("max") && Integer.parseInt(lo) > Integer.parseInt(hi)) {
                throw new IllegalArgumentException("'" + s + "': MIN is more than MAX (MIN..MAX, e.g. 2..8)");
            }
            if (!hi.equals("max") && Integer.parseInt(lo) == Integer.parseInt(hi)) {
                return lo; // N..N is N
            }
            return s;
        }
        if (s.equals("max")) {
            return s;
        }
        int n;
        try {
            n = Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is neither max, a number nor a range MIN..MAX");
        }
        if (n < 1) {
            throw new IllegalArgumentException("at least 1 worker, not " + n);
        }
        return Integer.toString(n);
    }

    private static String resolveClasspath(String cp, Path base) {
        List<String> out = new ArrayList<>();
        for (String e : cp.split(java.io.File.pathSeparator)) {
            if (!e.isEmpty()) {
                out.add(base.resolve(e).toString());
            }
        }
        return String.join(java.io.File.pathSeparator, out);
    }

    private static String text(JsonNode v) {
        if (v == null || v.isNull() || v.isContainerNode()) {
            throw new IllegalArgumentException("expected a single value");
        }
        return v.asText().trim();
    }

    private static boolean bool(JsonNode v) {
        String t = text(v);
        if (t.equals("true") || t.equals("false")) {
            return Boolean.parseBoolean(t);
        }
        throw new IllegalArgumentException("'" + t + "' is not true or false");
    }

    private static List<String> list(JsonNode v, boolean splitText) {
        List<String> l = new ArrayList<>();
        if (v.isArray()) {
            v.forEach(e -> l.add(text(e)));
        } else if (splitText) {
            String t = text(v);
            if (!t.isEmpty()) {
                l.addAll(List.of(t.split("\\s+")));
            }
        } else {
            l.add(text(v));
        }
        return List.copyOf(l);
    }

    private static Map<String, String> map(JsonNode v) {
        Map<String, String> m = new LinkedHashMap<>();
        if (v.isObject()) {
            v.fields().forEachRemaining(e -> m.put(e.getKey(), text(e.getValue())));
        } else if (v.isArray()) {
            v.forEach(e -> {
                String kv = text(e);
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("'" + kv + "' is not KEY=VALUE");
                }
                m.put(kv.substring(0, eq), kv.substring(eq + 1));
            });
        } else {
            throw new IllegalArgumentException("expected a map of NAME: VALUE");
        }
        return Map.copyOf(m);
    }

    private static String token(String t) {
        if (t.isEmpty()) {
            throw new IllegalArgumentException("the admin token must not be empty");
        }
        return t;
    }

    private static long nonNegative(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("must not be negative");
        }
        return n;
    }

    private static long positive(long n) {
        if (n < 1) {
            throw new IllegalArgumentException("must be at least 1");
        }
        return n;
    }

    private static Duration positive(Duration d) {
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException("must be more than zero");
        }
        return d;
    }

    private static double atLeastOne(double d) {
        if (d < 1) {
            throw new IllegalArgumentException("must be at least 1");
        }
        return d;
    }
}
