package io.jcluster.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The manifests in deploy/kubernetes validated against the Kubernetes API's schemas: {@code validate.mjs} with
 * the pinned {@code kubernetes-models} package from npm (installed into target/ with {@code npm ci}).
 */
class ManifestsIT {
    @Test
    void everyManifestIsValidAgainstTheKubernetesSchemas() throws Exception {
        Path src = ManifestsTest.DIR.resolve("validate");
        Path work = Files.createDirectories(Path.of("target", "kubernetes-validate").toAbsolutePath());
        for (String f : List.of("package.json", "package-lock.json", "validate.mjs")) {
            Files.copy(src.resolve(f), work.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.isDirectory(work.resolve("node_modules/kubernetes-models"))) {
            run(work, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error");
        }
        String out = run(work, "node", "validate.mjs", ManifestsTest.DIR.toString());
        assertThat(out).contains("valid   deployment.yaml: apps/v1 Deployment", "valid   service.yaml: v1 Service",
                "valid   hpa.yaml: autoscaling/v2 HorizontalPodAutoscaler", "valid   pdb.yaml: policy/v1 PodDisruptionBudget")
                .doesNotContain("INVALID");
    }

    /** Runs the command in {@code dir}; fails unless it exits 0; its output with npm's engine warnings left out. */
    private static String run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in 5 minutes");
        }
        assertThat(p.exitValue()).as("%s exited; output:\n%s", String.join(" ", command), out).isZero();
        return out.lines().filter(l -> !l.startsWith("npm warn")).reduce("", (a, b) -> a + b + "\n");
    }
}
