package io.jcluster.http;

import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The {@code Date} header of every response (RFC 9110 §6.6.1), in IMF-fixdate form (§5.6.7), formatted at most
 * once per second: a response reads the cached line, and only the first response of a new second formats it
 * again (a wall-clock read per response, no formatting, no allocation). Thread-safe: the cached value is one
 * immutable object behind a volatile field; two threads formatting the same second at once write equal values.
 */
final class HttpDate {
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
    /** {@code "date: " + 29 characters + CRLF}: an IMF-fixdate is always 29 characters long. */
    static final int LINE_LENGTH = 6 + 29 + 2;

    /** One second's value: the epoch second, the header line and the header value. */
    record Second(long epochSecond, byte[] line, AsciiString value) {
    }

    private static volatile Second current = format(System.currentTimeMillis() / 1000);

    private HttpDate() {
    }

    /** The value for the current second; formatted only when the second changed since the last call. */
    static Second now() {
        long second = System.currentTimeMillis() / 1000;
        Second s = current;
        if (s.epochSecond != second) {
            s = format(second);
            current = s;
        }
        return s;
    }

    /** {@code "date: <IMF-fixdate>\r\n"} of the current second, ready to copy into a response head. */
    static byte[] line() {
        return now().line;
    }

    /** The header value of the current second, for the responses Netty's encoder writes. */
    static AsciiString value() {
        return now().value;
    }

    static Second format(long epochSecond) {
        String value = IMF_FIXDATE.format(Instant.ofEpochSecond(epochSecond));
        byte[] line = ("date: " + value + "\r\n").getBytes(StandardCharsets.US_ASCII);
        if (line.length != LINE_LENGTH) {
            throw new IllegalStateException("not an IMF-fixdate: " + value);
        }
        return new Second(epochSecond, line, new AsciiString(value));
    }
}
