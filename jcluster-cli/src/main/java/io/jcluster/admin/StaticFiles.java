package io.jcluster.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The dashboard's files, from the class path: {@code /} is {@value #DASHBOARD}index.html, {@code /assets/NAME} is
 * {@value #DASHBOARD}NAME, {@code /assets/uplot/NAME} the uPlot WebJar's {@value #UPLOT}NAME. A name is one or more
 * plain segments (letters, digits, {@code . _ -}, never {@code ..}): no path leaves those directories. Each file is
 * read once and kept.
 */
final class StaticFiles {
    static final String DASHBOARD = "io/jcluster/admin/dashboard/";
    static final String UPLOT_VERSION = "1.6.30";
    static final String UPLOT = "META-INF/resources/webjars/uplot/" + UPLOT_VERSION + "/dist/";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*");
    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"),
            Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("mjs", "text/javascript; charset=utf-8"),
            Map.entry("css", "text/css; charset=utf-8"),
            Map.entry("json", "application/json"),
            Map.entry("map", "application/json"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("png", "image/png"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("txt", "text/plain; charset=utf-8"),
            Map.entry("woff2", "font/woff2"));

    /** A file to send: its bytes, type, and whether it may be cached for long (a versioned WebJar file). */
    record File(byte[] bytes, String contentType, boolean immutable) {
    }

    private final ClassLoader loader;
    /** Files found (a name not found is not kept: requests for made-up names do not grow this). */
    private final Map<String, File> cache = new ConcurrentHashMap<>();

    StaticFiles(ClassLoader loader) {
        this.loader = loader;
    }

    /** The file for a request path ({@code /}, {@code /assets/…}), or empty (404). */
    Optional<File> find(String path) {
        if (path.equals("/") || path.equals("/index.html")) {
            return load(DASHBOARD + "index.html", false);
        }
        if (path.startsWith("/assets/uplot/")) {
            String name = path.substring("/assets/uplot/".length());
            return safe(name) ? load(UPLOT + name, true) : Optional.empty();
        }
        if (path.startsWith("/assets/")) {
            String name = path.substring("/assets/".length());
            return safe(name) ? load(DASHBOARD + name, false) : Optional.empty();
        }
        return Optional.empty();
    }

    /** True for a relative name of plain segments: no {@code ..}, no {@code //}, no leading dot or slash. */
    static boolean safe(String name) {
        return NAME.matcher(name).matches() && !name.contains("..");
    }

    static String contentType(String name) {
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        return TYPES.getOrDefault(ext, "application/octet-stream");
    }

    private Optional<File> load(String resource, boolean immutable) {
        return Optional.ofNullable(cache.computeIfAbsent(resource, r -> {
            try (InputStream in = loader.getResourceAsStream(r)) {
                return in == null ? null : new File(in.readAllBytes(), contentType(r), immutable);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + r + " from the class path", e);
            }
        }));
    }
}
