package io.jcluster.cli;

import com.fasterxml.jackson.databind.node.TextNode;
import io.jcluster.contract.ExitCode;
import io.jcluster.examples.hello.HelloApp;
import io.jcluster.launch.Application;
import io.jcluster.launch.PrimaryRunner;
import io.jcluster.launch.StartSpec;
import io.jcluster.supervise.Capacity;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code jcluster demo}: the seed's example cluster, run as {@code jcluster start} runs any application (registered
 * as {@code demo}, so ls, status, logs and monit see it; its admin endpoint on by default), speaking the seed's lines;
 * or its single server with --single.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs the seed's example: an Express-style app answering {\"message\":\"Hello from worker <pid>\"},",
                "one worker per CPU sharing one port; dead workers are replaced. Ctrl-C stops it gracefully.",
                "It registers as any cluster (jcluster ls, status demo, logs demo); its dashboard is at "
                        + "http://127.0.0.1:8001/ unless --admin says otherwise."})
final class DemoCommand implements Callable<Integer> {
    static final String DEFAULT_ADMIN = "127.0.0.1:8001";

    @Option(names = "--port", description = "Port to listen on (default: ${DEFAULT-VALUE}).", defaultValue = "8000")
    int port;

    @Option(names = "--host", paramLabel = "HOST", description = "Address to listen on (default: every interface).")
    String host;

    @Option(names = "--workers", description = "Number of workers (default: one per CPU, ${DEFAULT-VALUE}).")
    int workers = Runtime.getRuntime().availableProcessors();

    @Option(names = "--name", paramLabel = "NAME", description = "The cluster's name (default: ${DEFAULT-VALUE}).",
            defaultValue = "demo")
    String name;

    @Option(names = "--admin", paramLabel = "[HOST:]PORT|off", description = "The admin endpoint and dashboard (default: "
            + DEFAULT_ADMIN + ", skipped with one line if that port is taken); off: none.")
    String admin;

    @Option(names = "--admin-token", paramLabel = "TOKEN", description = "Allow reload and scale from the dashboard "
            + "(also env JCLUSTER_ADMIN_TOKEN).")
    String adminToken;

    @Option(names = "--balance", paramLabel = "rr|least-connections|sticky", description = "Which worker gets each new "
            + "connection (default: rr; see jcluster start --help).")
    String balance;

    @Option(names = "--single", description = "Run step 1 of the seed: one server, no cluster.")
    boolean single;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw new ParameterException(spec.commandLine(), "--port must be 0-65535, not " + port);
        }
        if (workers < 1) {
            throw new ParameterException(spec.commandLine(), "--workers must be at least 1, not " + workers);
        }
        List<String> args = new ArrayList<>(List.of("--port", Integer.toString(port)));
        if (host != null) {
            args.addAll(List.of("--host", host));
        }
        if (single) {
            args.add("--single");
            HelloApp.main(args.toArray(String[]::new));
            return ExitCode.RUNNING.code();
        }
        StartSpec s = new StartSpec();
        Path cwd = Path.of("").toAbsolutePath();
        s.set("name", TextNode.valueOf(name), cwd, "--name");
        s.set("main-class", TextNode.valueOf(HelloApp.class.getName()), cwd, "--main-class");
        s.set("classpath", TextNode.valueOf(Application.selfJar()), cwd, "the demo's classpath");
        s.set("instances", TextNode.valueOf(Integer.toString(workers)), cwd, "--workers");
        s.set("agent", TextNode.valueOf("off"), cwd, "the demo's agent");
        s.set("admin", TextNode.valueOf(admin == null ? DEFAULT_ADMIN : admin), cwd, "--admin");
        if (adminToken != null) {
            s.set("admin-token", TextNode.valueOf(adminToken), cwd, "--admin-token");
        }
        if (balance != null) {
            s.set("balance", TextNode.valueOf(balance), cwd, "--balance");
        }
        s.args = List.copyOf(args);
        s.checkCapacity(Capacity.probe());
        PrimaryRunner runner = new PrimaryRunner(name, s, Application.resolve(s), false, System.out, System.err)
                .seedConsole();
        if (admin == null) {
            runner.adminOptional();
        }
        return runner.run();
    }
}
