package io.jcluster.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;

/** Status lines for codes 200-999, built once: Netty's phrases, and plain ones where Netty has none. */
final class Statuses {
    private static final HttpResponseStatus[] TABLE = new HttpResponseStatus[1000];
    /** {@code "200 OK\r\n"}: the status line after the version, as the encoder would write it. */
    private static final byte[][] LINES = new byte[1000][];

    static {
        for (int code = 200; code < TABLE.length; code++) {
            HttpResponseStatus s = HttpResponseStatus.valueOf(code);
            if (s.reasonPhrase().endsWith("(" + code + ")")) {
                s = new HttpResponseStatus(code, phrase(code, s));
            }
            TABLE[code] = s;
            LINES[code] = (code + " " + s.reasonPhrase() + "\r\n").getBytes(StandardCharsets.US_ASCII);
        }
    }

    private Statuses() {
    }

    /** The status for {@code code} (200-999). */
    static HttpResponseStatus of(int code) {
        return TABLE[code];
    }

    /** The end of the status line for {@code code} (200-999): code, reason phrase, CRLF. */
    static byte[] line(int code) {
        return LINES[code];
    }

    private static String phrase(int code, HttpResponseStatus fallback) {
        return switch (code) {
            case 418 -> "I'm a Teapot";
            case 425 -> "Too Early";
            case 451 -> "Unavailable For Legal Reasons";
            default -> {
                String p = fallback.reasonPhrase();
                yield p.substring(0, p.length() - (" (" + code + ")").length());
            }
        };
    }
}
