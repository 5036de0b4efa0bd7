package io.jcluster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The command line's packages read as its architecture, bottom up: contract, registry, control, logs, supervise,
 * launch, cli. Any reference from one of them to another (import or qualified name, in code or javadoc; a class
 * named in a string, such as the main a daemon re-executes, is a process boundary, not an edge) is an edge; there
 * must be no cycle. Reads the sources, so it needs no dependency.
 */
class PackageCyclesTest {
    private static final Path SOURCES = Path.of("src/main/java/io/jcluster");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\\n]|\\\\.)*\"");
    private static final Pattern REF = Pattern.compile("\\bio\\.jcluster\\.([a-z]+)\\.[A-Z]");

    @Test
    void noCycleBetweenTheCliPackages() throws IOException {
        Map<String, Set<String>> edges = edges();
        assertThat(edges).containsKeys("cli", "contract", "control", "launch", "logs", "registry", "supervise");
        List<String> cycle = findCycle(edges);
        assertThat(cycle).as("a cycle between the CLI's packages (dependencies: %s)", edges).isEmpty();
    }

    @Test
    void theCycleFinderFindsOne() {
        Map<String, Set<String>> g = new TreeMap<>();
        g.put("a", Set.of("b"));
        g.put("b", Set.of("c"));
        g.put("c", Set.of("a"));
        assertThat(findCycle(g)).containsExactly("a", "b", "c", "a");
        g.put("c", Set.of());
        assertThat(findCycle(g)).isEmpty();
    }

    /** Package → the other CLI packages it refers to. */
    private static Map<String, Set<String>> edges() throws IOException {
        Map<String, Set<String>> edges = new TreeMap<>();
        try (Stream<Path> dirs = Files.list(SOURCES)) {
            for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                edges.put(dir.getFileName().toString(), new TreeSet<>());
            }
        }
        for (Map.Entry<String, Set<String>> e : edges.entrySet()) {
            try (Stream<Path> files = Files.walk(SOURCES.resolve(e.getKey()))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    Matcher m = REF.matcher(STRING.matcher(Files.readString(f)).replaceAll("\"\""));
                    while (m.find()) {
                        String to = m.group(1);
                        if (!to.equals(e.getKey()) && edges.containsKey(to)) {
                            e.getValue().add(to);
                        }
                    }
                }
            }
        }
        return edges;
    }

    /** One cycle as a path that starts and ends at the same package, or empty. */
    static List<String> findCycle(Map<String, Set<String>> g) {
        Map<String, Integer> state = new TreeMap<>(); // 1: on the path, 2: done
        for (String start : g.keySet()) {
            List<String> path = new ArrayList<>();
            if (visit(start, g, state, path)) {
                return path;
            }
        }
        return List.of();
    }

    private static boolean visit(String n, Map<String, Set<String>> g, Map<String, Integer> state, List<String> path) {
        Integer s = state.get(n);
        if (s != null && s == 2) {
            return false;
        }
        path.add(n);
        if (s != null) { // back on the path: keep only the cycle
            path.subList(0, path.indexOf(n)).clear();
            return true;
        }
        state.put(n, 1);
        for (String next : g.getOrDefault(n, Set.of())) {
            if (visit(next, g, state, path)) {
                return true;
            }
        }
        state.put(n, 2);
        path.remove(path.size() - 1);
        return false;
    }
}
