package io.jcluster.http;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The settings of an app as its connections use them, derived once from {@link HttpOptions}. */
record Config(int maxRequestLine, int maxHeaderSize, int maxBodySize, long keepAliveNanos, long headersNanos,
              long requestNanos, long writeNanos, int maxBufferedResponseBytes, int maxPipelined, long lingerNanos,
              int maxLingerBytes, ObjectMapper mapper, HttpStats stats) {

    /** The mapper shared by every app that does not set its own. */
    static final ObjectMapper DEFAULT_MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    static Config of(HttpOptions o) {
        return new Config(o.maxRequestLine(), o.maxHeaderSize(), o.maxBodySize(),
                nanos(o.keepAliveTimeout()), nanos(o.headersTimeout()), nanos(o.requestTimeout()),
                nanos(o.writeTimeout()), o.maxBufferedResponseBytes(), o.maxPipelined(), nanos(o.lingerTimeout()),
                o.maxLingerBytes(), o.objectMapper() != null ? o.objectMapper() : DEFAULT_MAPPER, new HttpStats());
    }

    /** Nanoseconds, capped so that adding them to a clock reading cannot overflow; 0 means disabled. */
    private static long nanos(java.time.Duration d) {
        long cap = Long.MAX_VALUE / 4;
        return d.compareTo(java.time.Duration.ofNanos(cap)) > 0 ? cap : d.toNanos();
    }
}
