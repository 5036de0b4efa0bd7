package io.jcluster.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code jcluster}: runs, inspects and stops clusters of JVM workers. {@link #run} is the entry point tests
 * call in-process; {@link #main} exits with its status.
 */
@Command(name = "jcluster", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Node.js-style clustering for the JVM.",
        subcommands = {DemoCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    public static void main(String[] args) {
        int status = run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
        if (status != ExitCode.RUNNING.code()) {
            System.exit(status);
        }
    }

    /** Runs a command; returns its exit status, or {@link ExitCode#RUNNING} when it left a cluster running. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            err.println("jcluster: " + e.getMessage());
            return ExitCode.FAILED.code();
        });
        return cl.execute(args);
    }
}
