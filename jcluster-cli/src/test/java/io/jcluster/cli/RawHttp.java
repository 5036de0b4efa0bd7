package io.jcluster.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** One HTTP/1.1 GET on a new connection with {@code Connection: close}, as repeated curl does. */
record RawHttp(int status, Map<String, String> headers, String body) {
    static RawHttp get(int port, String path) throws IOException {
        // Generous: a request that allocates 300 MB took 10 s on a loaded 2-core machine.
        return get(port, path, 30_000);
    }

    /** With {@code timeoutMs} to connect and for each read (a restart of the primary holds requests this long). */
    static RawHttp get(int port, String path, int timeoutMs) throws IOException {
        return get("127.0.0.1", port, path, timeoutMs);
    }

    /** To {@code host} (an IP address: {@code 127.0.0.1}, {@code ::1}). */
    static RawHttp get(String host, int port, String path, int timeoutMs) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), timeoutMs);
            s.setSoTimeout(timeoutMs);
            String authority = host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + authority
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            int split = text.indexOf("\r\n\r\n");
            if (split < 0) {
                throw new IOException("no complete response: " + text);
            }
            String[] head = text.substring(0, split).split("\r\n");
            Map<String, String> headers = new TreeMap<>();
            for (int i = 1; i < head.length; i++) {
                int c = head[i].indexOf(':');
                headers.put(head[i].substring(0, c).trim().toLowerCase(Locale.ROOT), head[i].substring(c + 1).trim());
            }
            return new RawHttp(Integer.parseInt(head[0].split(" ")[1]), headers, text.substring(split + 4));
        }
    }
}
