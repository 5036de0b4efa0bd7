package io.jcluster.launch;

import io.jcluster.admin.AdminAddress;
import io.jcluster.admin.AdminServer;
import io.jcluster.admin.AdminSource;
import io.jcluster.metrics.ClusterMetrics;
import io.jcluster.supervise.Supervisor;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;

/**
 * Wires the admin endpoint for one primary: one {@link PrometheusRegistry} with the primary's own {@code process_*}
 * and {@code jvm_*} metrics and the cluster's, and the {@link AdminServer} that serves it.
 */
final class AdminEndpoint {
    /** The environment variable that may hold the admin token (instead of {@code --admin-token}, visible in ps). */
    static final String ENV_TOKEN = "JCLUSTER_ADMIN_TOKEN";

    private AdminEndpoint() {
    }

    /** The metrics registry of a primary: its JVM's and the cluster's. */
    static PrometheusRegistry registry(Supervisor sup) {
        PrometheusRegistry registry = new PrometheusRegistry();
        JvmMetrics.builder().register(registry);
        ClusterMetrics.register(registry, sup); // after the JVM's: an app metric of the same name is then left out
        return registry;
    }

    /** The token from {@code --admin-token} (config {@code adminToken}) or else {@value #ENV_TOKEN}; null: read-only. */
    static String token(StartSpec spec) {
        if (spec.adminToken != null) {
            return spec.adminToken;
        }
        String env = System.getenv(ENV_TOKEN);
        return env == null || env.isBlank() ? null : env.trim();
    }

    /** Starts the endpoint at {@code address}; {@link IOException} when it cannot bind (its message says where, why). */
    static AdminServer start(AdminAddress address, Supervisor sup, StartSpec spec) throws IOException {
        return AdminServer.start(address, AdminSource.of(sup, spec.reloadParallel, sup::status), registry(sup),
                token(spec), spec.minReady);
    }
}
