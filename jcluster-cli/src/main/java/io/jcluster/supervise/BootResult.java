package io.jcluster.supervise;

import java.util.List;
import java.util.Set;

/** How the first start went: {@code problem} is null when the workers are up (some perhaps late: {@code warnings}). */
public record BootResult(BootProblem problem, List<String> warnings, Set<String> addresses, int workers) {
}
