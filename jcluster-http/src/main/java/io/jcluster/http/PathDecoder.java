package io.jcluster.http;

import java.nio.charset.StandardCharsets;

/** Percent-decoding of URL path parts as UTF-8; unlike form decoding, '+' stays '+'. */
final class PathDecoder {
    private PathDecoder() {
    }

    static String decode(String s) {
        return decode(s, 0, s.length());
    }

    /** Decodes {@code s[from, to)}; throws IllegalArgumentException for a malformed escape. */
    static String decode(String s, int from, int to) {
        int pct = s.indexOf('%', from);
        if (pct < 0 || pct >= to) {
            return from == 0 && to == s.length() ? s : s.substring(from, to);
        }
        byte[] buf = new byte[to - from];
        int n = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= to) {
                    throw new IllegalArgumentException("malformed escape in path: " + s);
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("malformed escape in path: " + s);
                }
                buf[n++] = (byte) (hi << 4 | lo);
                i += 2;
            } else if (c < 0x80) {
                buf[n++] = (byte) c;
            } else {
                // The request line is ASCII in practice; keep any other char as its UTF-8 bytes.
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (n + b.length > buf.length) {
                    buf = java.util.Arrays.copyOf(buf, buf.length + b.length + 8);
                }
                System.arraycopy(b, 0, buf, n, b.length);
                n += b.length;
            }
        }
        return new String(buf, 0, n, StandardCharsets.UTF_8);
    }
}
