package io.jcluster.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How the primary starts workers, as Node's {@code cluster.setupPrimary(settings)}. By default a worker runs
 * the primary's own main class (or jar) on the primary's classpath with the primary's program arguments, as
 * Node re-runs the same script, with lean JVM flags ({@link #LEAN_JVM_ARGS}).
 *
 * <p>A mutable builder; {@link Cluster#setupPrimary} merges what it sets into the settings in force (as each
 * call of Node's does) and keeps a copy. A value never set reads as its default.
 */
public final class ClusterSettings {
    /**
     * The default worker JVM flags: a serial collector with a small starting heap (a worker is one event loop;
     * it needs neither parallel GC threads nor a large young generation), two compiler threads, a small code
     * cache, JIT thresholds halved (a worker's JVM profiles only its own share of the traffic, so with the
     * default ones C2 was still compiling the request path 10 s into a load: ~184k instead of ~206k req/s in
     * the benchmark's 6 s warm-up + 5 s run on 2 cores, and the peak RSS was no higher), exit on
     * OutOfMemoryError so the primary replaces the worker, and, where the JVM has it (17.0.9+),
     * a periodic trim of the C heap, which gives back the memory the JIT used while warming up (~20 MB).
     * C2 inlines less (depth 9, the default until JDK 14, not 15; compiled callees up to 1000 bytes, not x64's
     * 2500): its compile arenas were the largest part of a worker's peak RSS under load (a 21 MB malloc arena
     * in one sample), and the shallower inlining lowers that peak from 88-95 to 80-83 MB at the same req/s
     * (3 alternating runs each, keep-alive and Connection: close, 2 workers on 2 cores); inlining less than
     * that (500 bytes and depth 6, or hot callees up to 150 bytecodes) went to 70-75 MB but cost 5-10% of the
     * throughput.
     * Netty's JFR events are off: the first of them initialises JFR's metadata, ~100 ms of a worker's start
     * (pass {@code -Dio.netty.jfr.enabled=true} in your own flags to record them).
     */
    public static final List<String> LEAN_JVM_ARGS = leanJvmArgs();

    private static List<String> leanJvmArgs() {
        List<String> a = new ArrayList<>(List.of("-XX:+UseSerialGC", "-XX:CompileThresholdScaling=0.5", "-Xms8m",
                "-XX:MaxHeapFreeRatio=40", "-XX:MinHeapFreeRatio=10", "-XX:CICompilerCount=2",
                "-XX:ReservedCodeCacheSize=32m", "-Xss512k", "-XX:+ExitOnOutOfMemoryError",
                "-Dio.netty.jfr.enabled=false"));
        if (hasVmOption("MaxInlineLevel") && hasVmOption("InlineSmallCode")) { // a JVM without C2 has neither
            a.addAll(List.of("-XX:MaxInlineLevel=9", "-XX:InlineSmallCode=1000"));
        }
        if (hasVmOption("TrimNativeHeapInterval")) {
            a.addAll(List.of("-XX:+UnlockExperimentalVMOptions", "-XX:TrimNativeHeapInterval=5000"));
        }
        return List.copyOf(a);
    }

    /** Whether the JVM running the primary (and so its workers, which use the same java) knows a -XX option. */
    static boolean hasVmOption(String name) {
        try {
            java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                    .getVMOption(name);
            return true;
        } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
            return false;
        }
    }

    // Null = not set here: the default applies, and merge() keeps the value in force.
    private String mainClass;
    private Path jar;
    private String classpath;
    private List<String> args;
    private List<String> jvmArgs;
    private Map<String, String> env;
    private Path directory;
    private Boolean silent;
    private SchedulingPolicy policy;
    private Balance balance;
    private RestartPolicy restart;
    private Duration shutdownTimeout;
    private Boolean handleSignals;
    private Integer window;
    private Duration heartbeatInterval;
    private Duration heartbeatTimeout;
    private OutputListener output;
    private Boolean classDataSharing;

    public ClusterSettings() {
    }

    public ClusterSettings copy() {
        return new ClusterSettings().merge0(this);
    }

    /**
     * As Node's {@code setupPrimary} does with each call: a copy of these settings with what {@code other}
     * sets laid over them; what {@code other} leaves unset stays. A main class or jar set in {@code other}
     * replaces both.
     */
    public ClusterSettings merge(ClusterSettings other) {
        return copy().merge0(other);
    }

    private ClusterSettings merge0(ClusterSettings o) {
        if (o.mainClass != null || o.jar != null) {
            mainClass = o.mainClass;
            jar = o.jar;
        }
        classpath = o.classpath != null ? o.classpath : classpath;
        args = o.args != null ? o.args : args;
        jvmArgs = o.jvmArgs != null ? o.jvmArgs : jvmArgs;
        env = o.env != null ? o.env : env;
        directory = o.directory != null ? o.directory : directory;
        silent = o.silent != null ? o.silent : silent;
        policy = o.policy != null ? o.policy : policy;
        balance = o.balance != null ? o.balance : balance;
        restart = o.restart != null ? o.restart : restart;
        shutdownTimeout = o.shutdownTimeout != null ? o.shutdownTimeout : shutdownTimeout;
        handleSignals = o.handleSignals != null ? o.handleSignals : handleSignals;
        window = o.window != null ? o.window : window;
        if (o.heartbeatInterval != null) {
            heartbeatInterval = o.heartbeatInterval;
            heartbeatTimeout = o.heartbeatTimeout;
        }
        output = o.output != null ? o.output : output;
        classDataSharing = o.classDataSharing != null ? o.classDataSharing : classDataSharing;
        return this;
    }

    /** The worker's main class (default: the primary's). */
    public ClusterSettings mainClass(String mainClass) {
        this.mainClass = mainClass;
        this.jar = null;
        return this;
    }

    /** Run workers with {@code java -jar JAR} instead of a main class. */
    public ClusterSettings jar(Path jar) {
        this.jar = jar;
        this.mainClass = null;
        return this;
    }

    /** The worker's classpath (default: the primary's {@code java.class.path}). */
    public ClusterSettings classpath(String classpath) {
        this.classpath = classpath;
        return this;
    }

    /** The worker's program arguments (default: the primary's). */
    public ClusterSettings args(List<String> args) {
        this.args = List.copyOf(args);
        return this;
    }

    /** The worker's JVM flags, replacing {@link #LEAN_JVM_ARGS}. */
    public ClusterSettings jvmArgs(List<String> jvmArgs) {
        this.jvmArgs = List.copyOf(jvmArgs);
        return this;
    }

    /** Extra environment variables for every worker. */
    public ClusterSettings env(Map<String, String> env) {
        this.env = Map.copyOf(env);
        return this;
    }

    /** The worker's working directory (default: the primary's). */
    public ClusterSettings directory(Path directory) {
        this.directory = directory;
        return this;
    }

    /** True: worker output is piped to the primary and printed with a {@code [worker ID PID]} prefix. False: inherited. */
    public ClusterSettings silent(boolean silent) {
        this.silent = silent;
        return this;
    }

    /** The scheduling policy; {@value SchedulingPolicy#ENV} overrides it; default RR. */
    public ClusterSettings policy(SchedulingPolicy policy) {
        this.policy = policy;
        return this;
    }

    /**
     * How the primary chooses the worker of each new connection under {@link SchedulingPolicy#RR}: round-robin
     * (the default), least-connections or sticky by client address ({@link Balance}).
     */
    public ClusterSettings balance(Balance balance) {
        this.balance = Objects.requireNonNull(balance);
        return this;
    }

    public ClusterSettings restart(RestartPolicy restart) {
        this.restart = Objects.requireNonNull(restart);
        return this;
    }

    /** How long a graceful stop waits for workers before killing them (default 10 s). */
    public ClusterSettings shutdownTimeout(Duration timeout) {
        this.shutdownTimeout = Objects.requireNonNull(timeout);
        return this;
    }

    /** Whether SIGTERM and SIGINT on the primary stop the cluster gracefully (default true). */
    public ClusterSettings handleSignals(boolean handle) {
        this.handleSignals = handle;
        return this;
    }

    /** The most connections handed to one worker and not yet acknowledged (default 64). */
    public ClusterSettings window(int window) {
        if (window < 1 || window > 200) {
            throw new IllegalArgumentException("window must be 1-200 (a Unix socket holds about 250 fds in flight)");
        }
        this.window = window;
        return this;
    }

    /**
     * Every {@code interval} the primary pings each worker's event loop; one silent for {@code timeout} is
     * reported once to {@link Cluster#onUnresponsive} (the primary does nothing else by itself). Defaults 1 s, 10 s.
     */
    public ClusterSettings heartbeat(Duration interval, Duration timeout) {
        if (interval.isZero() || interval.isNegative() || timeout.compareTo(interval) < 0) {
            throw new IllegalArgumentException("heartbeat interval must be positive and not above the timeout");
        }
        this.heartbeatInterval = interval;
        this.heartbeatTimeout = timeout;
        return this;
    }

    /** Workers' output goes, line by line, to this listener (implies piped output) instead of the console. */
    public ClusterSettings output(OutputListener listener) {
        this.output = listener;
        return this;
    }

    /**
     * AppCDS for workers (default on): the first worker writes a class data archive when it exits gracefully,
     * and later workers with the same command and classpath start from it, about 40% faster. The environment
     * variable {@code JCLUSTER_CDS_DIR} names the cache directory, or {@code off}.
     */
    public ClusterSettings classDataSharing(boolean on) {
        this.classDataSharing = on;
        return this;
    }

    public boolean classDataSharing() {
        return classDataSharing == null || classDataSharing;
    }

    public Duration heartbeatInterval() {
        return heartbeatInterval == null ? Duration.ofSeconds(1) : heartbeatInterval;
    }

    public Duration heartbeatTimeout() {
        return heartbeatTimeout == null ? Duration.ofSeconds(10) : heartbeatTimeout;
    }

    public OutputListener output() {
        return output;
    }

    public String mainClass() {
        return mainClass;
    }

    public Path jar() {
        return jar;
    }

    public String classpath() {
        return classpath;
    }

    public List<String> args() {
        return args;
    }

    public List<String> jvmArgs() {
        return jvmArgs == null ? LEAN_JVM_ARGS : jvmArgs;
    }

    public Map<String, String> env() {
        return env == null ? Map.of() : env;
    }

    public Path directory() {
        return directory;
    }

    public boolean silent() {
        return silent != null && silent;
    }

    /** The policy in force: {@value SchedulingPolicy#ENV}, else the one set, else RR. */
    public SchedulingPolicy policy() {
        return SchedulingPolicy.fromEnv(policy == null ? SchedulingPolicy.RR : policy);
    }

    /** The balance in force: the one set, else RR. */
    public Balance balance() {
        return balance == null ? Balance.RR : balance;
    }

    public RestartPolicy restart() {
        return restart == null ? RestartPolicy.NEVER : restart;
    }

    public Duration shutdownTimeout() {
        return shutdownTimeout == null ? Duration.ofSeconds(10) : shutdownTimeout;
    }

    public boolean handleSignals() {
        return handleSignals == null || handleSignals;
    }

    public int window() {
        return window == null ? 64 : window;
    }

    /** The settings that matter in a log line. */
    @Override
    public String toString() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("main", jar != null ? "-jar " + jar : mainClass);
        m.put("args", args);
        m.put("jvmArgs", jvmArgs());
        m.put("policy", policy());
        m.put("balance", balance());
        m.put("restart", restart().enabled());
        return m.toString();
    }
}
