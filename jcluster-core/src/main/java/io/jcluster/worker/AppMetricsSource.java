package io.jcluster.worker;

import io.jcluster.cluster.AppMetrics;
import io.jcluster.internal.SnapshotCodec;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Internal: the worker side of {@link AppMetrics}. Reads, once a second on the stats thread ({@link StatsReporter}),
 * the Prometheus client's default registry, every Micrometer Prometheus registry in Micrometer's global registry and
 * those the application {@linkplain AppMetrics#expose exposed}, and encodes them for the primary. Each library is
 * looked up by name and used only when the application's classpath has it. Problems are logged once each, never
 * thrown at the reporter.
 */
public final class AppMetricsSource {
    private static final Logger log = LoggerFactory.getLogger(AppMetricsSource.class);
    private static final String MODEL = "io.prometheus.metrics.model.registry.PrometheusRegistry";
    private static final String MICROMETER = "io.micrometer.core.instrument.Metrics";

    private static final List<Object> EXPOSED = new CopyOnWriteArrayList<>();
    private static final Set<String> said = new HashSet<>();
    private static boolean tooLarge;

    private AppMetricsSource() {
    }

    /** See {@link AppMetrics#expose}. */
    public static void add(Object registry) {
        if (registry == null) {
            throw new IllegalArgumentException("AppMetrics.expose(null): give a Micrometer PrometheusMeterRegistry "
                    + "or a Prometheus PrometheusRegistry");
        }
        if (prometheusRegistryOf(registry) == null) {
            throw new IllegalArgumentException("AppMetrics.expose: " + registry.getClass().getName() + " is neither a "
                    + "Micrometer PrometheusMeterRegistry nor a Prometheus PrometheusRegistry");
        }
        synchronized (EXPOSED) {
            for (Object o : EXPOSED) {
                if (o == registry) {
                    return;
                }
            }
            EXPOSED.add(registry);
        }
    }

    /** The application's metrics encoded ({@link SnapshotCodec}), empty when it has none or they are too large. */
    static byte[] collect() {
        if (!present(MODEL)) {
            return new byte[0];
        }
        return Model.collect();
    }

    /** The Prometheus registry behind {@code o}: itself, or a Micrometer registry's; null when none. */
    static Object prometheusRegistryOf(Object o) {
        if (o.getClass().getName().equals(MODEL) || present(MODEL) && Model.isRegistry(o)) {
            return o;
        }
        try {
            Method m = o.getClass().getMethod("getPrometheusRegistry");
            Object r = m.invoke(o);
            return r != null && present(MODEL) && Model.isRegistry(r) ? r : null;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null;
        }
    }

    /** The registries of Micrometer's global composite (and of composites in it) that hold a Prometheus registry. */
    private static List<Object> micrometerGlobal() {
        List<Object> found = new ArrayList<>();
        if (!present(MICROMETER)) {
            return found;
        }
        try {
            Class<?> metrics = Class.forName(MICROMETER, true, loader());
            Object global = metrics.getField("globalRegistry").get(null);
            addFrom(global, found, 0);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            once("micrometer", "cannot read Micrometer's global registry: " + e);
        }
        return found;
    }

    private static void addFrom(Object composite, List<Object> found, int depth) throws ReflectiveOperationException {
        Object children = composite.getClass().getMethod("getRegistries").invoke(composite);
        if (!(children instanceof Collection<?> c) || depth > 4) {
            return;
        }
        for (Object r : c) {
            Object p = prometheusRegistryOf(r);
            if (p != null) {
                found.add(p);
            } else {
                try {
                    r.getClass().getMethod("getRegistries");
                    addFrom(r, found, depth + 1);
                } catch (NoSuchMethodException e) {
                    // another kind of registry (JMX, OTLP …): not ours to read
                }
            }
        }
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, loader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static ClassLoader loader() {
        ClassLoader l = Thread.currentThread().getContextClassLoader();
        return l != null ? l : AppMetricsSource.class.getClassLoader();
    }

    private static void once(String key, String message) {
        synchronized (said) {
            if (said.add(key)) {
                log.warn("app metrics: {}", message);
            }
        }
    }

    /** The code that names the Prometheus model's types: loaded only when the model is on the classpath. */
    private static final class Model {
        static boolean isRegistry(Object o) {
            return o instanceof PrometheusRegistry;
        }

        static byte[] collect() {
            Map<Object, Boolean> registries = new IdentityHashMap<>();
            registries.put(PrometheusRegistry.defaultRegistry, true);
            for (Object e : EXPOSED) {
                registries.put(prometheusRegistryOf(e), true);
            }
            for (Object g : micrometerGlobal()) {
                registries.put(g, true);
            }
            List<MetricSnapshot> all = new ArrayList<>();
            Set<String> names = new HashSet<>();
            for (Object r : registries.keySet()) {
                if (r == null) {
                    continue;
                }
                try {
                    for (MetricSnapshot m : ((PrometheusRegistry) r).scrape()) {
                        if (names.add(m.getMetadata().getName())) {
                            all.add(m);
                        } else {
                            once("dup:" + m.getMetadata().getName(), "two registries have a metric named "
                                    + m.getMetadata().getName() + "; the primary shows the first");
                        }
                    }
                } catch (RuntimeException | LinkageError e) {
                    once("scrape:" + r.getClass().getName(), "reading a registry failed: " + e);
                }
            }
            if (all.isEmpty()) {
                return new byte[0];
            }
            List<String> skipped = new ArrayList<>();
            try {
                byte[] b = SnapshotCodec.encode(all, AppMetrics.MAX_BYTES, skipped);
                if (tooLarge) {
                    tooLarge = false;
                    log.info("app metrics: fit in {} bytes again; sent to the primary", AppMetrics.MAX_BYTES);
                }
                if (!skipped.isEmpty()) {
                    once("skipped:" + skipped, "not sent (a kind the primary does not carry): " + skipped);
                }
                return b;
            } catch (SnapshotCodec.TooLarge e) {
                if (!tooLarge) {
                    tooLarge = true;
                    log.error("app metrics: not sent to the primary: {} metrics ({} data points) take more than {} bytes"
                            + " encoded; fewer label values would fit", all.size(), points(all), AppMetrics.MAX_BYTES);
                }
                return new byte[0];
            }
        }

        private static int points(List<MetricSnapshot> all) {
            int n = 0;
            for (MetricSnapshot m : all) {
                n += m.getDataPoints().size();
            }
            return n;
        }
    }
}
