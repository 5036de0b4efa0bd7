package io.jcluster.supervise;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** How many reloads ended how, since the primary started: {@code success} or {@code failure} (stopped, refused). */
final class ReloadResults {
    static final String SUCCESS = "success", FAILURE = "failure";

    private final AtomicLong success = new AtomicLong();
    private final AtomicLong failure = new AtomicLong();

    void ended(boolean ok) {
        (ok ? success : failure).incrementAndGet();
    }

    /** Result → count, both results always present. */
    Map<String, Long> counts() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put(SUCCESS, success.get());
        m.put(FAILURE, failure.get());
        return m;
    }
}
