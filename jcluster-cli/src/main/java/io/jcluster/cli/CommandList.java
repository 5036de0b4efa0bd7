package io.jcluster.cli;

import java.util.Map;
import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Column;
import picocli.CommandLine.Help.TextTable;

/**
 * The "Commands:" section of {@code jcluster --help}: each command with the first sentence of its description,
 * wrapped (picocli's own list shows a description's first line, which cut some off mid-sentence).
 */
final class CommandList {
    private CommandList() {
    }

    static String render(Help help) {
        Map<String, Help> subs = help.subcommands();
        if (subs.isEmpty()) {
            return "";
        }
        int names = subs.keySet().stream().mapToInt(String::length).max().orElse(0) + 2;
        int width = help.commandSpec().usageMessage().width();
        TextTable table = TextTable.forColumns(help.colorScheme(),
                new Column(names, 2, Column.Overflow.SPAN),
                new Column(Math.max(20, width - names), 2, Column.Overflow.WRAP));
        for (Map.Entry<String, Help> e : subs.entrySet()) {
            table.addRowValues(e.getKey(), summary(e.getValue()));
        }
        return table.toString();
    }

    /**
     * The command's header if it has one, else the first sentence of its description, whose lines are joined first
     * (a sentence may go on over several).
     */
    static String summary(Help help) {
        var usage = help.commandSpec().usageMessage();
        String[] lines = usage.header().length > 0 ? usage.header() : usage.description();
        String text = String.join(" ", lines).replace("%n", " ").replace("%%", "%").strip();
        int end = text.indexOf(". ");
        return end < 0 ? text : text.substring(0, end + 1);
    }
}
