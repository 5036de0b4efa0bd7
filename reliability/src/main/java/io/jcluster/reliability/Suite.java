package io.jcluster.reliability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The long form: {@code Suite long [--doc docs/reliability.md] [SCENARIO…]} runs every scenario (or the named
 * ones) with {@link Form#LONG} and writes the figures into the figures section of the document, with the
 * date, the commit and the machine's load. {@code Suite short …} runs the short form and only prints.
 */
public final class Suite {
    public interface Scenario {
        Outcome run(Form form) throws Exception;
    }

    /** The scenarios by name, in the order (fuzzing runs through Jazzer, see fuzz.sh). */
    public static final Map<String, Scenario> SCENARIOS = new LinkedHashMap<>();

    static {
        SCENARIOS.put("chaos", Chaos::run);
        SCENARIOS.put("chaos-none", Chaos::runNone);
        SCENARIOS.put("disconnect", Graceful::disconnect);
        SCENARIOS.put("disconnect-none", Graceful::disconnectNone);
        SCENARIOS.put("rolling", Graceful::rolling);
        SCENARIOS.put("sigterm", Graceful::sigterm);
        SCENARIOS.put("sigterm-queued", QueuedStop::run);
        SCENARIOS.put("scale-down", Retire::scaleDown);
        SCENARIOS.put("drain-deadline", Retire::drainDeadline);
        SCENARIOS.put("orphans", Orphans::run);
        SCENARIOS.put("leaks", Leaks::run);
        SCENARIOS.put("bad-input", BadInput::run);
        SCENARIOS.put("ipc-security", IpcSecurity::run);
        SCENARIOS.put("boot-failure", BootFailure::beforeInit);
        SCENARIOS.put("boot-failure-after-init", BootFailure::afterInit);
        SCENARIOS.put("soak", Soak::run);
    }

    /** Scenarios run only when named: the soak takes half an hour. */
    static final java.util.Set<String> ON_REQUEST = java.util.Set.of("soak");

    private Suite() {
    }

    public static void main(String[] args) throws Exception {
        Form form = args.length > 0 && args[0].equals("long") ? Form.LONG : Form.SHORT;
        Path doc = null;
        List<String> names = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--doc")) {
                doc = Path.of(args[++i]);
            } else {
                names.add(args[i]);
            }
        }
        if (names.isEmpty()) {
            SCENARIOS.keySet().stream().filter(n -> !ON_REQUEST.contains(n)).forEach(names::add);
        }
        String loadBefore = Procs.uptime();
        long t0 = System.nanoTime();
        List<Outcome> outcomes = new ArrayList<>();
        for (String name : names) {
            Scenario s = SCENARIOS.get(name);
            if (s == null) {
                throw new IllegalArgumentException("unknown scenario " + name + "; known: " + SCENARIOS.keySet());
            }
            System.out.println(">> " + name + " (" + form.name() + " form) …");
            Outcome o;
            try {
                o = s.run(form);
            } catch (Throwable t) {
                o = new Outcome(name).goal("the scenario ran to its end", false, t.toString());
                t.printStackTrace();
            }
            System.out.println(o.text());
            outcomes.add(o);
        }
        String loadAfter = Procs.uptime();
        long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
        long missed = outcomes.stream().mapToLong(o -> o.missed().size()).sum();
        System.out.println(missed == 0 ? "every goal met" : missed + " goal(s) missed");
        if (doc != null) {
            writeDoc(doc, form, outcomes, loadBefore, loadAfter, seconds);
            System.out.println("figures written to " + doc);
        }
        System.exit(missed == 0 ? 0 : 1);
    }

    static final String BEGIN = "<!-- figures:begin (written by reliability/run.sh; edits inside are overwritten) -->";
    static final String END = "<!-- figures:end -->";

    /** Replaces the figures section of {@code doc} (between the markers; appended when absent). */
    static void writeDoc(Path doc, Form form, List<Outcome> outcomes, String loadBefore, String loadAfter, long seconds)
            throws IOException, InterruptedException {
        StringBuilder b = new StringBuilder(BEGIN).append("\n\n");
        b.append("## Figures of the last long-form run\n\n");
        b.append("- date: ").append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)).append('\n');
        b.append("- commit: `").append(git("rev-parse", "--short", "HEAD"))
                .append(git("status", "--porcelain").isBlank() ? "`" : "` (with uncommitted changes)").append('\n');
        b.append("- form: ").append(form).append('\n');
        b.append("- machine: ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs, Java ")
                .append(System.getProperty("java.version")).append('\n');
        b.append("- load before: `").append(loadBefore).append("`\n");
        b.append("- load after: `").append(loadAfter).append("`\n");
        b.append("- duration: ").append(seconds).append(" s\n");
        long missed = outcomes.stream().mapToLong(o -> o.missed().size()).sum();
        b.append("- result: ").append(missed == 0 ? "every goal met" : missed + " goal(s) missed").append("\n\n");
        b.append(summaryTable(outcomes)).append('\n');
        b.append("### Each scenario's figures and goals\n\n");
        for (Outcome o : outcomes) {
            b.append(o.markdown().replaceFirst("^### ", "#### "));
        }
        Path fuzz = Path.of("reliability/target/fuzz/summary.md");
        if (Files.isRegularFile(fuzz)) {
            b.append(Files.readString(fuzz, StandardCharsets.UTF_8).strip()).append("\n\n");
        } else {
            b.append("### 5. fuzzing\n\nNo `reliability/fuzz.sh` run on this machine yet.\n\n");
        }
        b.append(END).append('\n');
        String text = Files.exists(doc) ? Files.readString(doc, StandardCharsets.UTF_8) : "# Reliability\n\n";
        int from = text.indexOf(BEGIN);
        int to = text.indexOf(END);
        if (from >= 0 && to > from) {
            text = text.substring(0, from) + b + text.substring(to + END.length()).replaceFirst("^\n", "");
        } else {
            text = text + (text.endsWith("\n") ? "\n" : "\n\n") + b;
        }
        Files.writeString(doc, text, StandardCharsets.UTF_8);
    }

    /** One line per scenario: load, faults, requests, failures by cause, what was left, goals met. */
    static String summaryTable(List<Outcome> outcomes) {
        StringBuilder b = new StringBuilder("| scenario | load held | faults injected | requests | failures by cause "
                + "| processes / fds left | goals met |\n|---|---|---|---|---|---|---|\n");
        for (Outcome o : outcomes) {
            Outcome.Row r = o.row();
            long met = o.goals().stream().filter(Outcome.Goal::met).count();
            b.append("| ").append(cell(o.scenario()));
            if (r == null) {
                b.append(" | — | — | — | — | — ");
            } else {
                b.append(" | ").append(cell(r.load())).append(" | ").append(cell(r.faults())).append(" | ")
                        .append(r.requests() > 0 ? String.format("%,d", r.requests()) : "—").append(" | ").append(cell(r.failures()))
                        .append(" | ").append(cell(r.left())).append(' ');
            }
            b.append("| ").append(met).append(" / ").append(o.goals().size())
                    .append(met == o.goals().size() ? "" : " **(missed: " + cell(o.missed().stream()
                            .map(Outcome.Goal::name).reduce((x, y) -> x + "; " + y).orElse("")) + ")**")
                    .append(" |\n");
        }
        return b.toString();
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }

    private static String git(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("git"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor(10, TimeUnit.SECONDS);
        return p.exitValue() == 0 ? out : "unknown";
    }
}
