package io.jcluster.reliability;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What one scenario measured (figures) and whether each of its goals was met. */
public final class Outcome {
    /** One goal of the issue, checked. */
    public record Goal(String name, boolean met, String detail) { }

    /**
     * The scenario's line in the summary table of the long form: the load it held, the faults it injected, the
     * requests sent, the failures by cause (socket errors and non-2xx answers alike), and what it left behind
     * (processes, fds).
     */
    public record Row(String load, String faults, long requests, String failures, String left) { }

    private final String scenario;
    private final Map<String, Object> figures = new LinkedHashMap<>();
    private final List<Goal> goals = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private Row row;

    public Outcome(String scenario) {
        this.scenario = scenario;
    }

    public String scenario() {
        return scenario;
    }

    public Outcome figure(String name, Object value) {
        figures.put(name, value);
        return this;
    }

    public Outcome goal(String name, boolean met, String detail) {
        goals.add(new Goal(name, met, detail));
        return this;
    }

    public Outcome row(String load, String faults, long requests, String failures, String left) {
        row = new Row(load, faults, requests, failures, left);
        return this;
    }

    /**
     * A load run's failures by cause, for a summary line: socket errors by the phase they happened in, then
     * answers other than 2xx by status; "0" when there are none.
     */
    public static String causes(LoadClient.Result r) {
        java.util.Map<String, Integer> kinds = new java.util.TreeMap<>();
        for (LoadClient.Failure f : r.failures()) {
            kinds.merge(f.phase().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '), 1, Integer::sum);
        }
        List<String> parts = new ArrayList<>();
        kinds.forEach((k, n) -> parts.add(n + " " + k));
        r.statuses().forEach((status, n) -> {
            if (status < 200 || status >= 300) {
                parts.add(n + " × " + status);
            }
        });
        return parts.isEmpty() ? "0" : String.join(", ", parts);
    }

    /** The summary line, or null when the scenario gives none. */
    public Row row() {
        return row;
    }

    public Outcome note(String note) {
        notes.add(note);
        return this;
    }

    public Map<String, Object> figures() {
        return figures;
    }

    public List<Goal> goals() {
        return goals;
    }

    public List<String> notes() {
        return notes;
    }

    public boolean allMet() {
        return goals.stream().allMatch(Goal::met);
    }

    public List<Goal> missed() {
        return goals.stream().filter(g -> !g.met()).toList();
    }

    /** Plain text for a console or an assertion message. */
    public String text() {
        StringBuilder b = new StringBuilder("== ").append(scenario).append('\n');
        figures.forEach((k, v) -> b.append("  ").append(k).append(": ").append(v).append('\n'));
        for (Goal g : goals) {
            b.append("  [").append(g.met() ? "MET" : "MISSED").append("] ").append(g.name());
            if (g.detail() != null && !g.detail().isEmpty()) {
                b.append(" (").append(g.detail()).append(')');
            }
            b.append('\n');
        }
        notes.forEach(n -> b.append("  note: ").append(n).append('\n'));
        return b.toString();
    }

    /** A markdown section: a table of figures, then the goals. */
    public String markdown() {
        StringBuilder b = new StringBuilder("### ").append(scenario).append("\n\n| figure | value |\n|---|---|\n");
        figures.forEach((k, v) -> b.append("| ").append(k).append(" | ").append(String.valueOf(v).replace("|", "\\|"))
                .append(" |\n"));
        b.append('\n');
        for (Goal g : goals) {
            b.append("- ").append(g.met() ? "**met**" : "**MISSED**").append(": ").append(g.name());
            if (g.detail() != null && !g.detail().isEmpty()) {
                b.append(" — ").append(g.detail());
            }
            b.append('\n');
        }
        for (String n : notes) {
            b.append("- note: ").append(n).append('\n');
        }
        return b.append('\n').toString();
    }
}
