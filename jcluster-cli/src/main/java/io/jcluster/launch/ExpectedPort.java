package io.jcluster.launch;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The port an application is told to listen on, as the common frameworks are told it: {@code --server.port=N}
 * (Spring Boot), {@code --port N}, {@code -Dserver.port=N}, {@code -Dquarkus.http.port=N},
 * {@code -Dmicronaut.server.port=N}, or {@code PORT} / {@code SERVER_PORT} in the environment. Only for messages:
 * what jcluster serves is what the application binds.
 */
final class ExpectedPort {
    private static final Pattern FLAG = Pattern.compile(
            "^(?:--server\\.port|--port|-Dserver\\.port|-Dquarkus\\.http\\.port|-Dmicronaut\\.server\\.port)=(\\d{1,5})$");

    private ExpectedPort() {
    }

    /** "port 8080 (--server.port=8080)", or null when nothing names one. */
    static String of(List<String> args, List<String> jvmArgs, Map<String, String> env) {
        for (List<String> list : List.of(args, jvmArgs)) {
            for (int i = 0; i < list.size(); i++) {
                String a = list.get(i);
                Matcher m = FLAG.matcher(a);
                if (m.matches()) {
                    return "port " + m.group(1) + " (" + a + ")";
                }
                if (a.equals("--port") && i + 1 < list.size() && list.get(i + 1).matches("\\d{1,5}")) {
                    return "port " + list.get(i + 1) + " (--port " + list.get(i + 1) + ")";
                }
            }
        }
        for (String name : List.of("PORT", "SERVER_PORT")) {
            String v = env.get(name);
            if (v != null && v.matches("\\d{1,5}")) {
                return "port " + v + " (" + name + "=" + v + ")";
            }
        }
        return null;
    }
}
