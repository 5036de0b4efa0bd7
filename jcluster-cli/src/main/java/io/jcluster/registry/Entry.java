package io.jcluster.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Set;

/**
 * What the registry knows of a cluster: written by its primary to {@code NAME.json}. {@code state} is
 * {@code starting}, {@code running}, {@code stopping} or {@code failed} (then {@code error} says why).
 */
public record Entry(String name, long pid, String processStart, String started, String socket, String logDir,
                    String app, int instances, String state, String error) {
    private static final Set<String> FIELDS = Set.of("name", "pid", "processStart", "started", "socket", "logDir", "app",
            "instances", "state", "error");

    public Entry withState(String s, String err) {
        return new Entry(name, pid, processStart, started, socket, logDir, app, instances, s, err);
    }

    public Entry withInstances(int n) {
        return new Entry(name, pid, processStart, started, socket, logDir, app, n, state, error);
    }

    /**
     * The entry a {@code NAME.json} holds, read as Jackson's data binding read it (a field missing or null is null
     * or 0, a number or boolean where a string is expected is its text, a number in a string or a fraction where a
     * whole number is expected is taken), or null when the JSON is no entry: not an object, a field of no entry,
     * an object or array for a field, a number that does not fit.
     */
    public static Entry of(JsonNode n) {
        if (n == null || !n.isObject()) {
            return null;
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            if (!FIELDS.contains(it.next())) {
                return null;
            }
        }
        try {
            return new Entry(text(n, "name"), (long) whole(n, "pid", Long.MIN_VALUE, Long.MAX_VALUE),
                    text(n, "processStart"), text(n, "started"), text(n, "socket"), text(n, "logDir"), text(n, "app"),
                    (int) whole(n, "instances", Integer.MIN_VALUE, Integer.MAX_VALUE), text(n, "state"), text(n, "error"));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.path(field);
        if (v.isMissingNode() || v.isNull()) {
            return null;
        }
        if (v.isContainerNode()) {
            throw new IllegalArgumentException(field);
        }
        return v.asText();
    }

    private static long whole(JsonNode n, String field, long min, long max) {
        JsonNode v = n.path(field);
        if (v.isMissingNode() || v.isNull()) {
            return 0;
        }
        if (v.isIntegralNumber() && v.canConvertToLong() && v.longValue() >= min && v.longValue() <= max) {
            return v.longValue();
        }
        if (v.isFloatingPointNumber() && v.doubleValue() >= min && v.doubleValue() <= max) {
            return (long) v.doubleValue();
        }
        if (v.isTextual()) {
            String t = v.textValue().trim();
            long l = t.isEmpty() ? 0 : Long.parseLong(t); // NumberFormatException: an IllegalArgumentException
            if (l >= min && l <= max) {
                return l;
            }
        }
        throw new IllegalArgumentException(field);
    }
}
