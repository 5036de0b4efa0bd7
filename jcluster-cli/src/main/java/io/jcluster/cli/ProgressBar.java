package io.jcluster.cli;

/** A one-line progress bar: {@code [######------] 2/4  message}. */
final class ProgressBar {
    static final int WIDTH = 24;

    private ProgressBar() {
    }

    static String render(int done, int total, String message) {
        int filled = total <= 0 ? WIDTH : (int) Math.round(WIDTH * Math.min(1.0, done / (double) total));
        return "[" + "#".repeat(filled) + "-".repeat(WIDTH - filled) + "] " + done + "/" + total
                + (message == null || message.isEmpty() ? "" : "  " + message);
    }
}
