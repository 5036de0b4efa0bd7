package io.jcluster.cli;

import io.jcluster.contract.CliException;
import io.jcluster.contract.ExitCode;
import io.jcluster.control.ControlException;
import io.jcluster.launch.Daemon;
import io.jcluster.logs.StampedOutput;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine;

/**
 * {@code jcluster}: runs, inspects and stops clusters of JVM workers. {@link #run} is the entry point tests
 * call in-process; {@link #main} exits with its status.
 */
@Command(name = "jcluster", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Node.js-style clustering for the JVM: start, inspect, reload, scale and stop JVM services.",
        subcommands = {StartCommand.class, LsCommand.class, StatusCommand.class, ReloadCommand.class,
                RestartCommand.class, ScaleCommand.class, StopCommand.class, LogsCommand.class, SendCommand.class,
                MonitCommand.class, DemoCommand.class, UpgradeCommand.class, StartupCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Exit status:",
                "  0  success",
                "  1  the command failed; its message says why",
                "  2  wrong arguments or config file",
                "  3  no cluster by that name is running",
                "  4  the cluster's primary died: its control socket was stale (and was removed)",
                "  5  the application jar or a classpath entry does not exist",
                "  6  the main class is missing or unknown",
                "  7  the application's port is in use",
                "  8  the workers failed to boot",
                "  9  a running cluster already has that name",
                " 10  a reload (or restart) stopped; the old workers kept serving",
                " 11  the primary did not answer in time",
                " 12  an upgrade failed; the old primary kept serving",
                "", "Clusters are registered in $JCLUSTER_HOME (default ~/.jcluster)."})
public final class Main {
    public static void main(String[] args) {
        if (java.util.Arrays.asList(args).contains(Daemon.CHILD_FLAG)) {
            // A daemon's output is primary.log: every line of it (ours, the JVM's, a library's) gets a timestamp.
            System.setOut(StampedOutput.wrap(new java.io.FileOutputStream(java.io.FileDescriptor.out)));
            System.setErr(StampedOutput.wrap(new java.io.FileOutputStream(java.io.FileDescriptor.err)));
        }
        int status = run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
        if (status != ExitCode.RUNNING.code()) {
            System.exit(status);
        }
    }

    /** Runs a command; returns its exit status, or {@link ExitCode#RUNNING} when it left a cluster running. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        Integer quick = QuickCommands.run(out, err, args);
        if (quick != null) {
            return quick;
        }
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.getSubcommands().get("scale").setUnmatchedOptionsArePositionalParams(true);
        cl.getHelpSectionMap().put(UsageMessageSpec.SECTION_KEY_COMMAND_LIST, CommandList::render);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> failed(e, err));
        return cl.execute(args);
    }

    /** A command's exception: one line {@code jcluster: MESSAGE} on {@code err}; returns the exit status. */
    static int failed(Exception e, PrintWriter err) {
        if (e instanceof CliException c) {
            err.println("jcluster: " + c.getMessage());
            return c.exit().code();
        }
        if (e instanceof ControlException) {
            err.println("jcluster: " + e.getMessage());
            return ExitCode.FAILED.code();
        }
        err.println("jcluster: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
        return ExitCode.FAILED.code();
    }
}
