package io.jcluster.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@code jcluster monit} remembers between status snapshots, per worker id: requests per second (from the
 * difference of its request count between two snapshots), CPU % and RSS, at most {@value #KEEP} samples each. A
 * worker gone from the status is forgotten. Used by one thread.
 */
final class MonitHistory {
    static final int KEEP = 240;

    private final Map<Integer, Series> workers = new HashMap<>();

    /** Adds the snapshot {@code status} taken at {@code nanos} (System.nanoTime()). */
    void record(JsonNode status, long nanos) {
        Set<Integer> seen = new HashSet<>();
        for (JsonNode w : status.path("workers")) {
            int id = w.path("id").asInt();
            seen.add(id);
            workers.computeIfAbsent(id, i -> new Series()).add(w, nanos);
        }
        workers.keySet().retainAll(seen);
    }

    List<Double> rates(int id) {
        Series s = workers.get(id);
        return s == null ? List.of() : list(s.rate);
    }

    List<Double> cpu(int id) {
        Series s = workers.get(id);
        return s == null ? List.of() : list(s.cpu);
    }

    List<Double> rss(int id) {
        Series s = workers.get(id);
        return s == null ? List.of() : list(s.rss);
    }

    /** The latest requests per second of worker {@code id}; null before its second snapshot. */
    Double rate(int id) {
        Series s = workers.get(id);
        Double last = s == null ? null : s.rate.peekLast();
        return last == null || last.isNaN() ? null : last;
    }

    /** The series with its gaps (NaN inside) as nulls. */
    private static List<Double> list(ArrayDeque<Double> q) {
        List<Double> l = new ArrayList<>(q.size());
        for (Double d : q) {
            l.add(d.isNaN() ? null : d);
        }
        return l;
    }

    private static final class Series {
        final ArrayDeque<Double> rate = new ArrayDeque<>();
        final ArrayDeque<Double> cpu = new ArrayDeque<>();
        final ArrayDeque<Double> rss = new ArrayDeque<>();
        long lastRequests = -1;
        long lastNanos;

        void add(JsonNode w, long nanos) {
            long requests = w.path("requests").asLong(-1);
            Double r = null;
            if (lastRequests >= 0 && requests >= lastRequests && nanos > lastNanos) {
                r = (requests - lastRequests) / ((nanos - lastNanos) / 1e9);
            }
            if (lastRequests >= 0) { // the first snapshot has no rate yet
                push(rate, r);
            }
            lastRequests = requests;
            lastNanos = nanos;
            JsonNode c = w.path("cpuPercent");
            push(cpu, c.isNumber() ? c.asDouble() : null);
            long bytes = w.path("rssBytes").asLong(-1);
            push(rss, bytes >= 0 ? (double) bytes : null);
        }

        private static void push(ArrayDeque<Double> q, Double v) {
            q.addLast(v == null ? Double.NaN : v);
            while (q.size() > KEEP) {
                q.pollFirst();
            }
        }
    }
}
