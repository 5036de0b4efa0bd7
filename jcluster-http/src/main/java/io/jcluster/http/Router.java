package io.jcluster.http;

import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An immutable segment trie of routes, built by {@link Builder}. Matching walks the decoded path segments:
 * a static segment beats a {@code :param}, which beats a trailing {@code *}; when a branch fails deeper down
 * the next kind is tried, so {@code /users/me/x} still reaches {@code /users/:id/x}. Methods are looked up in
 * a fixed array per node: the exact method, then GET for HEAD, then {@code all}.
 */
final class Router {
    static final int GET = 0;
    static final int HEAD = 1;
    static final int POST = 2;
    static final int PUT = 3;
    static final int DELETE = 4;
    static final int PATCH = 5;
    static final int OPTIONS = 6;
    static final int ALL = 7;
    /** Any method without its own slot: only {@code all} routes match it. */
    static final int OTHER = -1;
    private static final String[] NAMES = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "ALL"};
    private static final String[] ALLOW = allowTable();

    /** A registered route. {@code params} names the values of the {@code :param} segments, in order. */
    record Route(int method, String pattern, Handler handler, String[] params) {
    }

    /** A route found for a request with its parameter values (aligned with {@link Route#params()}). */
    record Match(Route route, String[] values, String rest) {
    }

    private final Node root;

    private Router(Node root) {
        this.root = root;
    }

    static int methodIndex(HttpMethod m) {
        if (m == HttpMethod.GET) {
            return GET;
        } else if (m == HttpMethod.POST) {
            return POST;
        } else if (m == HttpMethod.HEAD) {
            return HEAD;
        } else if (m == HttpMethod.PUT) {
            return PUT;
        } else if (m == HttpMethod.DELETE) {
            return DELETE;
        } else if (m == HttpMethod.PATCH) {
            return PATCH;
        } else if (m == HttpMethod.OPTIONS) {
            return OPTIONS;
        }
        return OTHER;
    }

    static String methodName(int index) {
        return NAMES[index];
    }

    /**
     * The route for {@code method} and the decoded path {@code segments}, or null when none matches; then
     * {@link #allowed} tells 404 from 405.
     */
    Match find(int method, String[] segments) {
        String[] values = segments.length == 0 ? EMPTY : new String[segments.length];
        return find(root, method, segments, 0, values, 0);
    }

    private static Match find(Node node, int method, String[] segs, int i, String[] values, int nv) {
        if (i == segs.length) {
            Route r = pick(node.routes, method);
            if (r != null) {
                return new Match(r, values, null);
            }
            r = pick(node.wildcard, method);
            return r == null ? null : new Match(r, values, "");
        }
        String seg = segs[i];
        if (node.statics != null) {
            Node child = node.statics.get(seg);
            if (child != null) {
                Match m = find(child, method, segs, i + 1, values, nv);
                if (m != null) {
                    return m;
                }
            }
        }
        if (node.param != null && !seg.isEmpty()) {
            values[nv] = seg;
            Match m = find(node.param, method, segs, i + 1, values, nv + 1);
            if (m != null) {
                return m;
            }
            values[nv] = null;
        }
        Route r = pick(node.wildcard, method);
        return r == null ? null : new Match(r, values, rest(segs, i));
    }

    private static Route pick(Route[] table, int method) {
        if (table == null) {
            return null;
        }
        Route r = method >= 0 ? table[method] : null;
        if (r == null && method == HEAD) {
            r = table[GET];
        }
        return r == null ? table[ALL] : r;
    }

    private static String rest(String[] segs, int from) {
        if (from == segs.length - 1) {
            return segs[from];
        }
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < segs.length; i++) {
            if (i > from) {
                sb.append('/');
            }
            sb.append(segs[i]);
        }
        return sb.toString();
    }

    /**
     * The value of an {@code Allow} header for the routes whose pattern matches {@code segments} with any
     * method, or null when no pattern matches (404).
     */
    String allowed(String[] segments) {
        int mask = mask(root, segments, 0);
        return mask == 0 ? null : ALLOW[mask & 0x7f];
    }

    private static int mask(Node node, String[] segs, int i) {
        int mask = node.wildcardMask;
        if (i == segs.length) {
            return mask | node.mask;
        }
        String seg = segs[i];
        if (node.statics != null) {
            Node child = node.statics.get(seg);
            if (child != null) {
                mask |= mask(child, segs, i + 1);
            }
        }
        if (node.param != null && !seg.isEmpty()) {
            mask |= mask(node.param, segs, i + 1);
        }
        return mask;
    }

    /** Methods of a mask, GET implying HEAD, ALL implying all. */
    private static String[] allowTable() {
        String[] table = new String[128];
        for (int mask = 1; mask < 128; mask++) {
            int m = (mask & (1 << GET)) != 0 ? mask | (1 << HEAD) : mask;
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < ALL; i++) {
                if ((m & (1 << i)) != 0) {
                    sb.append(sb.length() == 0 ? "" : ", ").append(NAMES[i]);
                }
            }
            table[mask] = sb.toString();
        }
        return table;
    }

    /**
     * Splits a raw path (starting with '/', without query) into percent-decoded segments: {@code "/"} has none,
     * one trailing slash is ignored, empty segments between slashes are kept (they match no static segment
     * and no parameter). Throws IllegalArgumentException for a malformed escape.
     */
    static String[] segments(String rawPath) {
        int end = rawPath.length();
        if (end > 1 && rawPath.charAt(end - 1) == '/') {
            end--;
        }
        if (end <= 1) {
            return EMPTY;
        }
        int count = 1;
        for (int i = 1; i < end; i++) {
            if (rawPath.charAt(i) == '/') {
                count++;
            }
        }
        String[] segs = new String[count];
        int start = 1;
        for (int s = 0; s < count; s++) {
            int slash = s == count - 1 ? end : rawPath.indexOf('/', start);
            segs[s] = PathDecoder.decode(rawPath, start, slash);
            start = slash + 1;
        }
        return segs;
    }

    private static final String[] EMPTY = new String[0];

    /** Collects routes, rejecting conflicts as they are added, and compiles them into a {@link Router}. */
    static final class Builder {
        private final BuildNode root = new BuildNode();
        private int size;

        /** Adds a route; throws IllegalArgumentException for a bad pattern or a conflict. */
        void add(int method, String pattern, Handler handler) {
            if (handler == null) {
                throw new NullPointerException("handler");
            }
            if (pattern == null || pattern.isEmpty() || pattern.charAt(0) != '/') {
                throw new IllegalArgumentException("a route path must start with '/': " + pattern);
            }
            if (pattern.indexOf('?') >= 0 || pattern.indexOf('#') >= 0) {
                throw new IllegalArgumentException("a route path must not contain '?' or '#': " + pattern);
            }
            String[] segs = patternSegments(pattern);
            List<String> params = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            BuildNode node = root;
            boolean wildcard = false;
            for (int i = 0; i < segs.length; i++) {
                String seg = segs[i];
                if (seg.equals("*")) {
                    if (i != segs.length - 1) {
                        throw new IllegalArgumentException("'*' is only allowed as the last segment: " + pattern);
                    }
                    wildcard = true;
                } else if (seg.startsWith(":")) {
                    String name = seg.substring(1);
                    if (!validName(name)) {
                        throw new IllegalArgumentException("bad parameter name '" + seg + "' in " + pattern
                                + " (use letters, digits and '_')");
                    }
                    if (!seen.add(name)) {
                        throw new IllegalArgumentException("parameter ':" + name + "' appears twice in " + pattern);
                    }
                    params.add(name);
                    if (node.param == null) {
                        node.param = new BuildNode();
                    }
                    node = node.param;
                } else {
                    if (seg.isEmpty()) {
                        throw new IllegalArgumentException("empty segment in route path: " + pattern);
                    }
                    if (seg.indexOf('*') >= 0 || seg.indexOf(':') >= 0) {
                        throw new IllegalArgumentException("'*' and ':' must stand for a whole segment: " + pattern);
                    }
                    node = node.statics.computeIfAbsent(seg, k -> new BuildNode());
                }
            }
            Route[] table;
            if (wildcard) {
                if (node.wildcard == null) {
                    node.wildcard = new Route[ALL + 1];
                }
                table = node.wildcard;
            } else {
                if (node.routes == null) {
                    node.routes = new Route[ALL + 1];
                }
                table = node.routes;
            }
            Route existing = table[method];
            if (existing != null) {
                throw new IllegalArgumentException("route conflict: " + NAMES[method] + " " + pattern
                        + " matches the same requests as " + NAMES[method] + " " + existing.pattern()
                        + ", registered before");
            }
            table[method] = new Route(method, pattern, handler, params.toArray(new String[0]));
            size++;
        }

        int size() {
            return size;
        }

        Router build() {
            return new Router(root.compile());
        }

        private static String[] patternSegments(String pattern) {
            int end = pattern.length();
            if (end > 1 && pattern.charAt(end - 1) == '/') {
                end--;
            }
            if (end <= 1) {
                return EMPTY;
            }
            return pattern.substring(1, end).split("/", -1);
        }

        private static boolean validName(String name) {
            if (name.isEmpty()) {
                return false;
            }
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (!(Character.isLetterOrDigit(c) || c == '_')) {
                    return false;
                }
            }
            return true;
        }
    }

    private static final class BuildNode {
        final Map<String, BuildNode> statics = new HashMap<>();
        BuildNode param;
        Route[] routes;
        Route[] wildcard;

        Node compile() {
            Map<String, Node> s = null;
            if (!statics.isEmpty()) {
                Map<String, Node> m = new HashMap<>();
                statics.forEach((k, v) -> m.put(k, v.compile()));
                s = Map.copyOf(m);
            }
            return new Node(s, param == null ? null : param.compile(), copy(routes), copy(wildcard));
        }

        private static Route[] copy(Route[] table) {
            return table == null ? null : table.clone();
        }
    }

    private static final class Node {
        final Map<String, Node> statics;
        final Node param;
        final Route[] routes;
        final Route[] wildcard;
        final int mask;
        final int wildcardMask;

        Node(Map<String, Node> statics, Node param, Route[] routes, Route[] wildcard) {
            this.statics = statics;
            this.param = param;
            this.routes = routes;
            this.wildcard = wildcard;
            this.mask = maskOf(routes);
            this.wildcardMask = maskOf(wildcard);
        }

        /** Bits of the methods present; ALL sets every method bit. */
        private static int maskOf(Route[] table) {
            if (table == null) {
                return 0;
            }
            if (table[ALL] != null) {
                return 0x7f;
            }
            int mask = 0;
            for (int i = 0; i < ALL; i++) {
                if (table[i] != null) {
                    mask |= 1 << i;
                }
            }
            return mask;
        }
    }
}
