package io.jcluster.cli;

import io.jcluster.contract.ExitCode;
import io.jcluster.examples.hello.HelloApp;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code jcluster demo}: the seed's example cluster (or its single server with --single). */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs the seed's example: an Express-style app answering {\"message\":\"Hello from worker <pid>\"},",
                "one worker per CPU sharing one port; dead workers are replaced. Ctrl-C stops it gracefully."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--port", description = "Port to listen on (default: ${DEFAULT-VALUE}).", defaultValue = "8000")
    int port;

    @Option(names = "--workers", description = "Number of workers (default: one per CPU, ${DEFAULT-VALUE}).")
    int workers = Runtime.getRuntime().availableProcessors();

    @Option(names = "--single", description = "Run step 1 of the seed: one server, no cluster.")
    boolean single;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (port < 0 || port > 65535) {
            throw new ParameterException(spec.commandLine(), "--port must be 0-65535, not " + port);
        }
        if (workers < 1) {
            throw new ParameterException(spec.commandLine(), "--workers must be at least 1, not " + workers);
        }
        List<String> args = new ArrayList<>(List.of("--port", Integer.toString(port)));
        if (single) {
            args.add("--single");
        } else {
            args.addAll(List.of("--workers", Integer.toString(workers)));
        }
        HelloApp.main(args.toArray(String[]::new));
        return ExitCode.RUNNING.code();
    }
}
