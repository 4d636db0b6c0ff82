package org.renumber.testing;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A real terminal: a detached tmux session running one command line under bash, read with {@code capture-pane}
 * and typed into with {@code send-keys}, as an operator at a terminal would see and type. Closing kills the session.
 */
public final class TmuxTerminal implements AutoCloseable {

    private final String session;

    private TmuxTerminal(String session) {
        this.session = session;
    }

    /** Runs {@code command} in a new 132x40 terminal; the shell then prints {@code EXIT:<status>} and waits. */
    public static TmuxTerminal start(List<String> command) {
        String session = "rn-it-tmux-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        StringBuilder line = new StringBuilder();
        for (String word : command) {
            line.append('\'').append(word.replace("'", "'\\''")).append("' ");
        }
        line.append("; echo EXIT:$?; sleep 600");
        NetNsFixture.run(List.of("tmux", "new-session", "-d", "-s", session, "-x", "132", "-y", "40", "bash", "-c",
                line.toString()));
        return new TmuxTerminal(session);
    }

    /** What the terminal shows now, one string per row, trailing blanks trimmed. */
    public String screen() {
        return NetNsFixture.run("tmux", "capture-pane", "-p", "-t", session);
    }

    /** Sends keys as tmux names them ({@code C-c}, {@code Enter}) or literal text. */
    public void send(String... keys) {
        List<String> command = new ArrayList<>(List.of("tmux", "send-keys", "-t", session));
        command.addAll(List.of(keys));
        NetNsFixture.run(command);
    }

    @Override
    public void close() {
        try {
            NetNsFixture.run("tmux", "kill-session", "-t", session);
        } catch (RuntimeException e) {
            // already gone
        }
    }
}
