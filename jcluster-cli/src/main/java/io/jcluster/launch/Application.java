package io.jcluster.launch;

import io.jcluster.cluster.ClusterSettings;
import io.jcluster.cluster.OutputListener;
import io.jcluster.contract.CliException;
import io.jcluster.contract.ExitCode;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * The application a cluster runs, resolved and checked before any worker starts: its main class (from the
 * jar's manifest or {@code --main-class}), and the workers' classpath: the application's, then the jcluster
 * jar (so {@link io.jcluster.worker.WorkerMain} and the cluster runtime are there).
 */
public record Application(String mainClass, String classpath, List<String> args, String description) {

    /** The worker main that runs the application's main inside a worker. */
    public static final String WORKER_MAIN = "io.jcluster.worker.WorkerMain";

    public static Application resolve(StartSpec spec) {
        List<String> cp = new ArrayList<>();
        String main = spec.mainClass;
        String description;
        if (spec.jar != null) {
            Path jar = spec.jar.toAbsolutePath().normalize();
            if (!Files.isRegularFile(jar)) {
                throw new CliException(ExitCode.APP_NOT_FOUND, "the application jar " + jar + " does not exist; "
                        + "check the path (build it first?)");
            }
            cp.add(jar.toString());
            if (main == null) {
                main = manifestMain(jar);
            }
            description = jar.getFileName().toString();
        } else if (main == null) {
            throw new CliException(ExitCode.USAGE, "nothing to run: give an application jar (jcluster start APP.jar) "
                    + "or --main-class with --classpath");
        } else {
            description = main;
        }
        if (spec.classpath != null) {
            for (String e : spec.classpath.split(File.pathSeparator)) {
                if (e.isEmpty()) {
                    continue;
                }
                Path p = Path.of(e.endsWith("*") ? e.substring(0, e.length() - 1) : e);
                if (!Files.exists(p)) {
                    throw new CliException(ExitCode.APP_NOT_FOUND, "the classpath entry " + e + " does not exist; "
                            + "check --classpath");
                }
                cp.add(e);
            }
        }
        if (!onClasspath(main, cp)) {
            throw new CliException(ExitCode.NO_MAIN_CLASS, "no class " + main + " on the classpath "
                    + String.join(File.pathSeparator, cp) + "; check --main-class and --classpath");
        }
        cp.add(selfJar());
        List<String> args = new ArrayList<>();
        args.add(main);
        args.addAll(spec.args);
        return new Application(main, String.join(File.pathSeparator, cp), List.copyOf(args), description);
    }

    /**
     * How the core starts this application's workers: {@link #WORKER_MAIN} running it with the lean JVM flags and
     * {@code --jvm-args}, the restart policy, the drain deadline, the heartbeat (from the hang timeout), and every
     * worker line to {@code output}. The core's own signal handling is off: {@link PrimarySignals} installs the
     * command's handlers, through the core's one installer. With {@code agent} ({@link UnmodifiedApp#applies})
     * the workers run the application as it is, with jcluster's agent, instead of through {@link #WORKER_MAIN}.
     * {@code memoryPerWorker} (0: none) is each worker's share of the memory ({@link MemorySplit}). The balance is
     * {@code --balance}.
     */
    public ClusterSettings clusterSettings(StartSpec spec, OutputListener output, boolean agent, long memoryPerWorker) {
        List<String> jvm = new ArrayList<>(ClusterSettings.LEAN_JVM_ARGS);
        jvm.addAll(spec.jvmArgs);
        jvm = MemorySplit.flags(jvm, memoryPerWorker);
        // Off: a silent worker is left alone, and reported (logged) at the core's default heartbeat timeout.
        Duration hang = spec.hangTimeout.isZero() ? new ClusterSettings().heartbeatTimeout() : spec.hangTimeout;
        Duration interval = hang.compareTo(Duration.ofSeconds(1)) < 0 ? hang : Duration.ofSeconds(1);
        ClusterSettings settings = new ClusterSettings()
                .mainClass(WORKER_MAIN)
                .classpath(classpath)
                .args(args)
                .jvmArgs(jvm)
                .env(spec.env)
                .balance(spec.balance)
                .restart(spec.restartPolicy())
                .shutdownTimeout(spec.drainTimeout)
                .handleSignals(false)
                .heartbeat(interval, hang)
                .output(output);
        // An unmodified application runs as it is, with jcluster's agent, instead of through WorkerMain.
        return agent ? UnmodifiedApp.configure(settings, spec, this, jvm) : settings;
    }

    static String manifestMain(Path jar) {
        try (JarFile f = new JarFile(jar.toFile())) {
            Manifest m = f.getManifest();
            String main = m == null ? null : m.getMainAttributes().getValue("Main-Class");
            if (main == null || main.isBlank()) {
                throw new CliException(ExitCode.NO_MAIN_CLASS, jar.getFileName() + " has no Main-Class in its manifest; "
                        + "pass --main-class CLASS --classpath " + jar + " (the jar then goes on the classpath)");
            }
            return main.trim();
        } catch (IOException e) {
            throw new CliException(ExitCode.APP_NOT_FOUND, jar + " is not a readable jar (" + e.getMessage() + ")");
        }
    }

    /** Looks for the class file only: nothing is loaded or initialised. */
    static boolean onClasspath(String className, List<String> cp) {
        List<URL> urls = new ArrayList<>();
        for (String e : cp) {
            try {
                if (e.endsWith("*")) {
                    Path dir = Path.of(e.substring(0, e.length() - 1));
                    try (Stream<Path> jars = Files.list(dir)) {
                        for (Path j : jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
                            urls.add(j.toUri().toURL());
                        }
                    }
                } else {
                    urls.add(Path.of(e).toAbsolutePath().toUri().toURL());
                }
            } catch (IOException ex) {
                // an unreadable entry cannot hold the class
            }
        }
        try (URLClassLoader l = new URLClassLoader(urls.toArray(URL[]::new), null)) {
            return l.findResource(className.replace('.', '/') + ".class") != null;
        } catch (IOException e) {
            return false;
        }
    }

    /** The jcluster jar this command runs from (or, run from classes, this JVM's classpath). */
    public static String selfJar() {
        try {
            Path p = Path.of(Application.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isRegularFile(p)) {
                return p.toString();
            }
        } catch (Exception e) {
            // fall through
        }
        return System.getProperty("java.class.path");
    }
}
