package io.jcluster.supervise;

import io.jcluster.contract.ExitCode;
import io.jcluster.control.ControlException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code N}, {@code +K} or {@code -K}: the worker count {@code jcluster scale} asks for. A wrong one is a usage
 * error ({@link ExitCode#USAGE}).
 */
public final class ScaleSpec {
    private static final Pattern FORM = Pattern.compile("([+-]?)(\\d{1,6})");

    private ScaleSpec() {
    }

    /** Throws the usage error for a count that is not {@code N}, {@code +K} or {@code -K}. */
    public static void check(String how) {
        parse(how, Integer.MAX_VALUE / 2);
    }

    /** The wanted count from {@code how} and the current one; at least 1. */
    static int parse(String how, int current) {
        Matcher m = FORM.matcher(how == null ? "" : how.trim());
        if (!m.matches()) {
            throw new ControlException("'" + how + "' is not a worker count: use N, +K or -K", ExitCode.USAGE);
        }
        int n = Integer.parseInt(m.group(2));
        int wanted = switch (m.group(1)) {
            case "+" -> current + n;
            case "-" -> current - n;
            default -> n;
        };
        if (wanted < 1) {
            throw new ControlException("a cluster keeps at least 1 worker (asked for " + wanted + "); "
                    + "to stop it, use 'jcluster stop'", ExitCode.USAGE);
        }
        return wanted;
    }
}
