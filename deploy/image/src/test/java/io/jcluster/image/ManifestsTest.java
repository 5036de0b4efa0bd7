package io.jcluster.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the Kubernetes manifests must agree on with jcluster (the schema check is {@code ManifestsIT}'s): the
 * probes on the admin endpoint's paths and port, a grace period longer than the drain, limits that jcluster turns
 * into workers and heaps, and a writable /tmp under a read-only root.
 */
class ManifestsTest {
    static final Path DIR = Path.of("..", "kubernetes").toAbsolutePath().normalize();
    private static JsonNode pod;
    private static JsonNode container;
    private static List<String> args;

    @BeforeAll
    static void read() throws IOException {
        JsonNode deployment = new ObjectMapper(new YAMLFactory()).readTree(DIR.resolve("deployment.yaml").toFile());
        pod = deployment.at("/spec/template");
        container = pod.at("/spec/containers/0");
        args = new ArrayList<>();
        container.get("args").forEach(a -> args.add(a.asText()));
    }

    private static String arg(String flag) {
        int i = args.indexOf(flag);
        assertThat(i).as("%s in the container's args %s", flag, args).isNotNegative();
        return args.get(i + 1);
    }

    private static int port(String name) {
        for (JsonNode p : container.get("ports")) {
            if (p.get("name").asText().equals(name)) {
                return p.get("containerPort").asInt();
            }
        }
        throw new AssertionError("no container port named " + name);
    }

    @Test
    void theContainerRunsStartWithTheAdminEndpointOnThePortTheProbesAndPrometheusUse() {
        assertThat(args.get(0)).isEqualTo("start");
        assertThat(arg("--admin")).isEqualTo("0.0.0.0:" + port("admin"));
        assertThat(arg("--port")).isEqualTo(Integer.toString(port("http")));
        assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/healthz");
        assertThat(container.at("/startupProbe/httpGet/path").asText()).isEqualTo("/healthz");
        assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/readyz");
        for (String probe : List.of("livenessProbe", "startupProbe", "readinessProbe")) {
            assertThat(container.at("/" + probe + "/httpGet/port").asText()).as(probe).isEqualTo("admin");
        }
        assertThat(pod.at("/metadata/annotations/prometheus.io~1port").asText()).isEqualTo(Integer.toString(port("admin")));
        assertThat(pod.at("/metadata/annotations/prometheus.io~1path").asText()).isEqualTo("/metrics");
    }

    @Test
    void theGracePeriodOutlastsThePreStopPauseAndTheDrain() {
        long drain = seconds(arg("--drain-timeout"));
        List<String> preStop = new ArrayList<>();
        container.at("/lifecycle/preStop/exec/command").forEach(c -> preStop.add(c.asText()));
        assertThat(preStop.get(0)).isEqualTo("sleep");
        long pause = Long.parseLong(preStop.get(1));
        assertThat(pod.at("/spec/terminationGracePeriodSeconds").asLong()).isGreaterThan(drain + pause);
    }

    @Test
    void limitsAreSetAndEqualToRequestsSoJclusterSizesWorkersFromThem() {
        for (String r : List.of("cpu", "memory")) {
            assertThat(container.at("/resources/limits/" + r).asText()).as("limit " + r).isNotEmpty()
                    .isEqualTo(container.at("/resources/requests/" + r).asText());
        }
        assertThat(args).as("no heap flags: jcluster splits the memory limit").noneMatch(a -> a.startsWith("-Xmx"));
    }

    @Test
    void aReadOnlyRootWithAWritableTmp() {
        assertThat(container.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(container.at("/volumeMounts/0/mountPath").asText()).isEqualTo("/tmp");
        assertThat(pod.at("/spec/volumes/0/emptyDir").isObject()).isTrue();
    }

    private static long seconds(String duration) {
        assertThat(duration).matches("\\d+s");
        return Long.parseLong(duration.substring(0, duration.length() - 1));
    }
}
