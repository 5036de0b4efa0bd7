package io.jcluster.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcluster.supervise.ClusterEvents;
import io.jcluster.supervise.Supervisor;
import java.util.function.Supplier;

/**
 * What the admin endpoint reads and asks of the cluster. The reads are snapshots that never wait on a worker or an
 * operation (they run on the endpoint's event loop); the mutations wait for their operation and are never called
 * on the event loop.
 */
public interface AdminSource {
    /** The same JSON as {@code jcluster status NAME --json}. */
    JsonNode status();

    /** Workers in service that listen now. */
    int listening();

    /** True from the moment a stop (SIGTERM, {@code jcluster stop}) begins. */
    boolean stopping();

    ClusterEvents events();

    /** A rolling reload; its report. */
    JsonNode reload() throws Exception;

    /** Scales to {@code count} ({@code N}, {@code +K}, {@code -K}); its report. */
    JsonNode scale(String count) throws Exception;

    /** A source reading {@code sup}; {@code status} makes the status JSON (the control socket's). */
    static AdminSource of(Supervisor sup, int reloadParallel, Supplier<JsonNode> status) {
        return new AdminSource() {
            @Override
            public JsonNode status() {
                return status.get();
            }

            @Override
            public int listening() {
                return sup.listening();
            }

            @Override
            public boolean stopping() {
                return sup.stopping();
            }

            @Override
            public ClusterEvents events() {
                return sup.events();
            }

            @Override
            public JsonNode reload() throws Exception {
                return sup.reload(reloadParallel, p -> { });
            }

            @Override
            public JsonNode scale(String count) throws Exception {
                return sup.scale(count);
            }
        };
    }
}
