package io.jcluster.cli;

import java.util.List;

/**
 * A row of one-character bars for a series of numbers, newest on the right: Unicode blocks (▁ … █) where the
 * terminal takes UTF-8, else an ASCII ramp. A missing value (null) is a blank.
 */
final class Sparkline {
    static final String BLOCKS = "▁▂▃▄▅▆▇█";
    static final String ASCII = "_.-~=+*#";

    private Sparkline() {
    }

    /**
     * The last {@code width} values as bars, right-aligned (blanks on the left until there are enough). With
     * {@code fromZero} the scale runs from 0 to the largest value shown (rates, CPU); without, from the smallest to
     * the largest (memory, whose changes matter more than its size). A flat series sits at the bottom from zero, in
     * the middle otherwise.
     */
    static String of(List<Double> values, int width, boolean fromZero, boolean unicode) {
        if (width <= 0) {
            return "";
        }
        String glyphs = unicode ? BLOCKS : ASCII;
        int top = glyphs.length() - 1;
        List<Double> shown = values.subList(Math.max(0, values.size() - width), values.size());
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Double v : shown) {
            if (v != null) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        if (fromZero) {
            lo = Math.min(0, lo);
        }
        StringBuilder sb = new StringBuilder(" ".repeat(width - shown.size()));
        for (Double v : shown) {
            if (v == null) {
                sb.append(' ');
            } else if (hi - lo <= 1e-9) {
                sb.append(glyphs.charAt(fromZero && hi <= 0 ? 0 : top / 2));
            } else {
                sb.append(glyphs.charAt((int) Math.round((v - lo) / (hi - lo) * top)));
            }
        }
        return sb.toString();
    }
}
