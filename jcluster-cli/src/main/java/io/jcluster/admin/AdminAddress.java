package io.jcluster.admin;

/**
 * Where the admin endpoint listens: {@code --admin [HOST:]PORT}. HOST defaults to {@value #DEFAULT_HOST} (loopback:
 * the endpoint is reachable from elsewhere only when told so); an IPv6 host is written in brackets,
 * {@code [::1]:8001}. Port 0 takes a free port.
 */
public record AdminAddress(String host, int port) {
    public static final String DEFAULT_HOST = "127.0.0.1";

    public AdminAddress {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("the admin host is empty");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("the admin port must be 0-65535, not " + port);
        }
    }

    /**
     * Parses {@code [HOST:]PORT}; throws {@link IllegalArgumentException} with a message saying what is wrong and
     * what is expected.
     */
    public static AdminAddress parse(String text) {
        String s = text == null ? "" : text.trim();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("expected [HOST:]PORT, e.g. 8001 or 127.0.0.1:8001, not an empty value");
        }
        String host = DEFAULT_HOST;
        String port = s;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("'" + s + "' is not [IPV6]:PORT, e.g. [::1]:8001");
            }
            host = s.substring(1, close);
            port = s.substring(close + 2);
        } else {
            int colon = s.lastIndexOf(':');
            if (colon >= 0) {
                if (s.indexOf(':') != colon) {
                    throw new IllegalArgumentException("'" + s + "': write an IPv6 host in brackets, e.g. [::1]:8001");
                }
                host = s.substring(0, colon);
                port = s.substring(colon + 1);
            }
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("'" + s + "' has an empty host; expected [HOST:]PORT, e.g. 127.0.0.1:8001");
        }
        if (!port.matches("\\d{1,5}")) {
            throw new IllegalArgumentException("'" + port + "' is not a port number in '" + s
                    + "'; expected [HOST:]PORT, e.g. 8001 or 127.0.0.1:8001");
        }
        int p = Integer.parseInt(port);
        if (p > 65535) {
            throw new IllegalArgumentException("port " + p + " in '" + s + "' is over 65535");
        }
        return new AdminAddress(host, p);
    }

    /** The address as a URL's authority: {@code 127.0.0.1:8001}, {@code [::1]:8001}. */
    public String authority() {
        return authority(host, port);
    }

    static String authority(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
        return authority();
    }
}
