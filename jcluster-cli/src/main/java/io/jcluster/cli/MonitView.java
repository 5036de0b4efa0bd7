package io.jcluster.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcluster.contract.Units;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One frame of {@code jcluster monit}: the cluster's line, the worker table, each worker's sparklines (req/s, CPU %,
 * RSS) and a footer, fitted to a terminal of {@code width} × {@code height} characters: lines longer than the width
 * are cut (never wrapped), lines beyond the height are left out with a line saying how many, the footer is on the
 * last row.
 * A field the status lacks or has as null (an older primary, an unmodified application) shows as "-".
 */
final class MonitView {
    /** Narrower sparklines than this are left out. */
    static final int MIN_SPARK = 5;
    static final int MAX_SPARK = 60;
    /** Sparklines in plain output (no terminal width to fill). */
    static final int PLAIN_SPARK = 20;

    private MonitView() {
    }

    /** The frame's lines; {@code width} or {@code height} ≤ 0: unlimited (plain output to a file or a pipe). */
    static List<String> render(JsonNode s, MonitHistory history, int width, int height, String footer, boolean unicode) {
        int w = width <= 0 ? Integer.MAX_VALUE : width;
        List<String> body = new ArrayList<>();
        body.add(StatusCommand.head(s));
        body.add("");
        JsonNode workers = s.path("workers");
        boolean lag = false;
        for (JsonNode wk : workers) {
            lag |= wk.path("heartbeatLagSeconds").isNumber();
        }
        Table t = lag ? new Table("ID", "PID", "STATE", "GEN", "UPTIME", "RST", "RSS", "CPU%", "REQ/S", "CONNS", "LAG")
                : new Table("ID", "PID", "STATE", "GEN", "UPTIME", "RST", "RSS", "CPU%", "REQ/S", "CONNS");
        int idWidth = 2;
        for (JsonNode wk : workers) {
            int id = wk.path("id").asInt();
            idWidth = Math.max(idWidth, Integer.toString(id).length());
            String state = wk.path("state").asText("-");
            if (wk.has("leaving") && !state.equals("disconnecting")) {
                state = state + " (leaving)";
            }
            List<Object> cells = new ArrayList<>(List.of(id, wk.path("pid").asLong(), state,
                    wk.path("generation").asInt(),
                    Units.formatUptime(Duration.ofSeconds(wk.path("uptimeSeconds").asLong())),
                    wk.path("restarts").asInt(), Units.formatSize(wk.path("rssBytes").asLong(-1)),
                    percent(wk.path("cpuPercent")), rate(history.rate(id)), number(wk.path("connections"))));
            if (lag) {
                cells.add(lag(wk.path("heartbeatLagSeconds")));
            }
            t.row(cells.toArray());
        }
        body.addAll(t.render().lines().toList());
        if (workers.isEmpty()) {
            body.add("(no workers)");
        }
        int spark = width <= 0 ? PLAIN_SPARK : Math.min(MAX_SPARK, (w - (idWidth + 2) - 41) / 3);
        if (!workers.isEmpty() && spark >= MIN_SPARK) {
            body.add("");
            body.add("last " + spark + "s (a column a second; req/s and cpu from 0, rss from its lowest)");
            for (JsonNode wk : workers) {
                int id = wk.path("id").asInt();
                body.add(pad(Integer.toString(id), idWidth + 2)
                        + "req/s " + Sparkline.of(history.rates(id), spark, true, unicode) + " "
                        + pad(rate(history.rate(id)), 6)
                        + "  cpu " + Sparkline.of(history.cpu(id), spark, true, unicode) + " "
                        + pad(percent(wk.path("cpuPercent")) + (wk.path("cpuPercent").isNumber() ? "%" : ""), 6)
                        + "  rss " + Sparkline.of(history.rss(id), spark, false, unicode) + " "
                        + Units.formatSize(wk.path("rssBytes").asLong(-1)));
            }
        }
        return fit(body, footer, w, height);
    }

    /** {@code body} then {@code footer}, cut to {@code width} columns and {@code height} lines (≤ 0: any). */
    static List<String> fit(List<String> body, String footer, int width, int height) {
        List<String> lines = new ArrayList<>(body);
        int room = height <= 0 ? Integer.MAX_VALUE : footer == null ? height : height - 1;
        if (lines.size() > room) {
            int left = lines.size() - (room - 1);
            lines = new ArrayList<>(lines.subList(0, Math.max(0, room - 1)));
            if (room >= 1) {
                lines.add("... " + left + " more line(s): a taller terminal shows them");
            }
        }
        if (footer != null && (height <= 0 || height >= 1)) {
            while (height > 0 && lines.size() < height - 1) {
                lines.add(""); // the footer on the terminal's last row
            }
            lines.add(footer);
        }
        List<String> out = new ArrayList<>(lines.size());
        for (String l : lines) {
            String cut = l.length() > width ? l.substring(0, width) : l;
            out.add(cut.stripTrailing());
        }
        return out;
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    static String rate(Double perSecond) {
        if (perSecond == null) {
            return "-";
        }
        return String.format(Locale.ROOT, perSecond < 10 ? "%.1f" : "%.0f", perSecond);
    }

    private static String percent(JsonNode n) {
        return n.isNumber() ? String.format(Locale.ROOT, "%.1f", n.asDouble()) : "-";
    }

    private static String number(JsonNode n) {
        return n.isNumber() ? Long.toString(n.asLong()) : "-";
    }

    static String lag(JsonNode seconds) {
        if (!seconds.isNumber()) {
            return "-";
        }
        double s = seconds.asDouble();
        return s < 1 ? String.format(Locale.ROOT, "%.0fms", s * 1000) : String.format(Locale.ROOT, "%.1fs", s);
    }
}
