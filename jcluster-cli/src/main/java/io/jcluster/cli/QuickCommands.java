package io.jcluster.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code status NAME [--json]} and {@code ls [--json]}, the commands scripts and people run over and over, run
 * without picocli: building its model of every command (reflection over each command's annotations, the help
 * sections) took more of their start than their work did. Only these plain shapes are taken; any other (a help
 * option, a misspelt or repeated option, a missing or extra argument, an {@code @file}, {@code --}) goes to picocli,
 * which parses, prints and fails as it always did. The command objects and their {@code call} are picocli's own.
 */
final class QuickCommands {
    private QuickCommands() {
    }

    /** Runs the command when {@code args} is one of the plain shapes and returns its exit status; else null. */
    static Integer run(PrintWriter out, PrintWriter err, String... args) {
        Callable<Integer> command = parse(out, err, args);
        if (command == null) {
            return null;
        }
        try {
            return command.call();
        } catch (Exception e) {
            return Main.failed(e, err); // what picocli's execution exception handler (Main) does
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** The command of a plain shape, its fields set as picocli would set them; null for any other shape. */
    static Callable<Integer> parse(PrintWriter out, PrintWriter err, String... args) {
        if (args.length == 0 || args.length > 3) {
            return null;
        }
        boolean json = false;
        String name = null;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--json") && !json) {
                json = true;
            } else if (name == null && plainValue(a)) {
                name = a;
            } else {
                return null;
            }
        }
        switch (args[0]) {
            case "status" -> {
                if (name == null) {
                    return null; // picocli says what is missing
                }
                StatusCommand s = new StatusCommand();
                s.name = name;
                s.json = json;
                s.printTo(out, err);
                return s;
            }
            case "ls" -> {
                if (name != null) {
                    return null;
                }
                LsCommand l = new LsCommand();
                l.json = json;
                l.out = out;
                return l;
            }
            default -> {
                return null;
            }
        }
    }

    /** An argument picocli takes as it is for a positional parameter: not an option, an @file, nor empty. */
    private static boolean plainValue(String a) {
        return !a.isEmpty() && a.charAt(0) != '-' && a.charAt(0) != '@';
    }
}
