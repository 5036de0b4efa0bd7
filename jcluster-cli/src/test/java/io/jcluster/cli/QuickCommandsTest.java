package io.jcluster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The shapes of {@code status} and {@code ls} run without picocli: parsed as picocli parses them, and only those. */
class QuickCommandsTest {
    private static final PrintWriter OUT = new PrintWriter(new StringWriter());

    private static Callable<Integer> quick(String... args) {
        return QuickCommands.parse(OUT, OUT, args);
    }

    /** What picocli makes of the arguments: the subcommand's object, fields set. */
    private static Object picocli(String... args) {
        return new CommandLine(new Main()).parseArgs(args).subcommand().commandSpec().userObject();
    }

    @Test
    void plainShapesParseAsPicocliParsesThem() {
        List<List<String>> shapes = List.of(List.of("status", "web"), List.of("status", "web", "--json"),
                List.of("status", "--json", "web"), List.of("status", "a.b_c-1"), List.of("status", "help"),
                List.of("status", "ls"), List.of("status", "NOT/valid"), List.of("ls"), List.of("ls", "--json"));
        for (List<String> shape : shapes) {
            String[] args = shape.toArray(String[]::new);
            Object ours = quick(args);
            Object theirs = picocli(args);
            assertThat(ours).as(shape.toString()).isNotNull().hasSameClassAs(theirs);
            if (ours instanceof StatusCommand s) {
                StatusCommand p = (StatusCommand) theirs;
                assertThat(s.name).as(shape.toString()).isEqualTo(p.name);
                assertThat(s.json).as(shape.toString()).isEqualTo(p.json);
            } else {
                assertThat(((LsCommand) ours).json).as(shape.toString()).isEqualTo(((LsCommand) theirs).json);
            }
        }
    }

    @Test
    void everyOtherShapeIsLeftToPicocli() {
        List<List<String>> others = List.of(List.of(), List.of("status"), List.of("status", "--json"),
                List.of("status", "--help"), List.of("status", "-h"), List.of("status", "-V"), List.of("status", "web", "-h"),
                List.of("status", "web", "--json", "--json"), List.of("status", "web", "extra"),
                List.of("status", "web", "--jsn"), List.of("status", "--", "web"), List.of("status", "@args"),
                List.of("status", ""), List.of("status", "web", "--json", "x"), List.of("ls", "web"), List.of("ls", "--help"),
                List.of("ls", "--json", "--json"), List.of("ls", "-"), List.of("--help"), List.of("--version"),
                List.of("help", "status"), List.of("stop", "web"), List.of("monit", "web"), List.of("scale", "web", "3"),
                List.of("start", "--name", "web"), List.of("STATUS", "web"), List.of("status", "a", "b", "c", "d"));
        for (List<String> shape : others) {
            assertThat(quick(shape.toArray(String[]::new))).as(shape.toString()).isNull();
        }
    }

    @Test
    void aFailureIsOneLineAndItsExitStatusAsWithPicocli() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = QuickCommands.run(new PrintWriter(out, true), new PrintWriter(err, true), "status", "bad/name");
        StringWriter pOut = new StringWriter();
        StringWriter pErr = new StringWriter();
        // the same arguments through picocli, as Main ran them before
        int pExit = new CommandLine(new Main()).setOut(new PrintWriter(pOut, true)).setErr(new PrintWriter(pErr, true))
                .setExecutionExceptionHandler((e, cmd, parsed) -> Main.failed(e, new PrintWriter(pErr, true)))
                .execute("status", "bad/name");
        assertThat(exit).isEqualTo(pExit).isEqualTo(2);
        assertThat(err.toString()).isEqualTo(pErr.toString()).startsWith("jcluster: 'bad/name' is not a valid cluster name");
        assertThat(out.toString()).isEqualTo(pOut.toString()).isEmpty();
    }
}
