package org.renumber.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The drain as the operator watches it: a bar of the connections left on the old address out of those there when the
 * drain began (or the most seen since), the processes holding the most of them, and the time to the deadline.
 */
final class DrainProgress {

    static final int TOP_HOLDERS = 3;
    private static final int BAR_WIDTH = 30;
    private static final Pattern CONNECTIONS = Pattern.compile(": (\\d+) connections?");
    /** The agent's holder line: {@code PID COMMAND: n connection(s)[, m listener(s)]}. */
    private static final Pattern HOLDER = Pattern.compile("(\\d+) (.*): (\\d+ connections?.*)");
    private static final int COMMAND_WIDTH = 48;

    private int initial = -1;

    /** The lines to show for {@code remaining} connections now, held by {@code holders} (the agent's lines). */
    List<String> lines(int remaining, List<String> holders, Instant deadline, Instant now) {
        initial = Math.max(initial, remaining);
        int closed = initial - remaining;
        int filled = initial == 0 ? BAR_WIDTH : (int) Math.round((double) BAR_WIDTH * closed / initial);
        List<String> lines = new ArrayList<>();
        lines.add("  [" + "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled) + "]  " + remaining + " of " + initial
                + " connection" + (initial == 1 ? "" : "s") + " left" + untilDeadline(deadline, now));
        for (String holder : topHolders(holders)) {
            lines.add("    " + holder);
        }
        return lines;
    }

    int initial() {
        return initial;
    }

    /** The holders with the most connections first, at most {@value #TOP_HOLDERS}, and how many others. */
    static List<String> topHolders(List<String> holders) {
        List<String> sorted = new ArrayList<>(holders);
        sorted.sort(Comparator.comparingLong(DrainProgress::connections).reversed());
        List<String> top = new ArrayList<>(sorted.subList(0, Math.min(TOP_HOLDERS, sorted.size())).stream()
                .map(DrainProgress::compact).toList());
        if (sorted.size() > TOP_HOLDERS) {
            top.add("(and " + (sorted.size() - TOP_HOLDERS) + " more processes)");
        }
        return top;
    }

    /**
     * {@code PID COMMAND: counts} with the command cut to its program's name and what fits in
     * {@value #COMMAND_WIDTH} characters, so that a holder is one row of a terminal (a wrapped row would break the
     * redraw in place).
     */
    static String compact(String holder) {
        Matcher m = HOLDER.matcher(holder);
        if (!m.matches()) {
            return holder.length() > 100 ? holder.substring(0, 97) + "..." : holder;
        }
        String command = m.group(2);
        int space = command.indexOf(' ');
        String program = space < 0 ? command : command.substring(0, space);
        String rest = space < 0 ? "" : command.substring(space);
        String shown = program.substring(program.lastIndexOf('/') + 1) + rest;
        if (shown.length() > COMMAND_WIDTH) {
            shown = shown.substring(0, COMMAND_WIDTH - 3) + "...";
        }
        return "pid " + m.group(1) + " " + shown + ": " + m.group(3);
    }

    private static long connections(String holder) {
        Matcher m = CONNECTIONS.matcher(holder);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    static String untilDeadline(Instant deadline, Instant now) {
        if (deadline == null) {
            return "";
        }
        long seconds = Math.max(0, Duration.between(now, deadline).toSeconds());
        return String.format("   deadline in %d:%02d", seconds / 60, seconds % 60);
    }
}
