package io.jcluster.cli;

import io.jcluster.contract.CliException;
import io.jcluster.contract.ExitCode;
import io.jcluster.logs.LogSink;
import io.jcluster.logs.LogTail;
import io.jcluster.registry.Entry;
import io.jcluster.registry.Registry;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jcluster logs NAME}: the merged log, or one worker's. */
@Command(name = "logs", mixinStandardHelpOptions = true,
        description = {"Prints the last lines of a cluster's merged log (every worker's output, each line prefixed "
                + "[worker ID PID], and the primary's own lines), or of one worker's log with --worker.",
                "The files are in the cluster's log directory ($JCLUSTER_HOME/logs/NAME by default) and rotate by size; "
                        + "they stay after the cluster stops."})
final class LogsCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "The cluster's name.")
    String name;

    @Option(names = {"--follow", "-f"}, description = "Keep printing new lines as they come (across rotations) until interrupted.")
    boolean follow;

    @Option(names = "--worker", paramLabel = "ID", description = "Only this worker's log.")
    Integer worker;

    @Option(names = {"--lines", "-n"}, paramLabel = "N", description = "How many of the last lines, older ones from the rotated files (default: ${DEFAULT-VALUE}).",
            defaultValue = "50")
    int lines;

    @Spec
    CommandSpec command;

    @Override
    public Integer call() throws Exception {
        if (lines < 0) {
            throw new CliException(ExitCode.USAGE, "--lines must not be negative");
        }
        Registry registry = Registry.open();
        Registry.checkName(name);
        Optional<Entry> entry = registry.read(name);
        Path dir = entry.map(e -> Path.of(e.logDir())).orElse(registry.defaultLogDir(name));
        if (!Files.isDirectory(dir)) {
            throw new CliException(ExitCode.NO_SUCH_CLUSTER, "no logs for a cluster named " + name + " (looked in " + dir
                    + "); 'jcluster ls' lists the running clusters");
        }
        Path file = worker == null ? dir.resolve(name + ".log") : LogSink.workerFile(dir, worker);
        if (!Files.exists(file)) {
            throw new CliException(ExitCode.NO_SUCH_CLUSTER, worker == null ? "no log file " + file + " yet"
                    : "no log of worker " + worker + " in " + dir + "; 'jcluster status " + name + "' lists the workers");
        }
        PrintWriter out = command.commandLine().getOut();
        LogTail.Tail tail = LogTail.lastAcrossRotations(file, lines);
        tail.lines().forEach(out::println);
        out.flush();
        if (follow) {
            LogTail.follow(file, tail.end(), l -> {
                out.println(l);
                out.flush();
            }, 200);
        }
        return ExitCode.OK.code();
    }
}
