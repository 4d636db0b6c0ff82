package org.renumber.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.renumber.testing.CommandAgent;
import org.renumber.testing.NetNsFixture;
import org.renumber.testing.NetNsPeer;
import org.renumber.testing.RenumberCommand;
import org.renumber.testing.TmuxTerminal;

/**
 * {@code renumber change} at a real terminal (tmux): the drain's progress redrawn in place as real connections close,
 * and Ctrl-C asking whether to cancel.
 */
@Tag("kernel")
class RenumberTerminalIT {

    private static final String OLD = NetNsFixture.ADDRESS_A;
    private static final Duration LONG = Duration.ofSeconds(90);

    private CommandAgent fixture;
    private NetNsFixture net;
    private RenumberCommand renumber;

    @BeforeEach
    void startAgent() throws Exception {
        fixture = CommandAgent.start("rn-it-tty-");
        net = fixture.net();
        renumber = fixture.renumber();
        fixture.server(OLD);
    }

    @AfterEach
    void stopEverything() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    private NetNsPeer clients(int count) throws Exception {
        return fixture.clients(OLD, count);
    }

    private static long rowsContaining(String screen, String text) {
        return screen.lines().filter(row -> row.contains(text)).count();
    }

    @Test
    void theDrainIsRedrawnInPlaceAsConnectionsCloseAndErasedWhenTheChangeMovesOn() throws Exception {
        NetNsPeer one = clients(1);
        NetNsPeer two = clients(2);
        TmuxTerminal terminal = terminal(renumber.commandLine("change", "v0", OLD,
                "10.9.1.1/24", "--drain-timeout", "300"));

        await().atMost(LONG).until(() -> terminal.screen().contains("3 of 3 connections left   deadline in"));
        assertThat(terminal.screen()).containsPattern("\\[\\.{30}\\]  3 of 3 connections left   deadline in \\d:\\d\\d")
                .containsPattern("\n    pid \\d+ java .*: 3 connections, 1 listener\n");
        one.ask("close");
        await().atMost(LONG).until(() -> terminal.screen().contains("2 of 3 connections left"));
        String draining = terminal.screen();
        assertThat(rowsContaining(draining, "connections left")).isEqualTo(1);
        assertThat(draining).containsPattern("\\[#{10}\\.{20}\\]  2 of 3 connections left")
                .containsPattern("java .*: 2 connections, 1 listener");
        two.ask("close");
        await().atMost(LONG).until(() -> terminal.screen().contains("EXIT:"));

        String done = terminal.screen();
        assertThat(done).containsPattern("DRAINING +waiting for the connections on 10.9.0.1/24")
                .containsPattern("COMPLETED +outcome DRAINED").contains("EXIT:0");
        assertThat(rowsContaining(done, "connections left")).isZero();
        System.out.println("--- renumber change at a terminal:\n" + draining + "\n--- at the end:\n" + done);
    }

    @Test
    void ctrlCAsksAndCancelsTheChangeWhenTheOperatorSaysSo() throws Exception {
        clients(1);
        TmuxTerminal terminal = terminal(renumber.commandLine("change", "v0", OLD,
                "10.9.1.1/24", "--drain-timeout", "300"));
        await().atMost(LONG).until(() -> terminal.screen().contains("1 of 1 connection left"));

        terminal.send("C-c");
        await().atMost(LONG).until(() -> terminal.screen().contains("Ctrl-C: cancel change"));
        terminal.send("c", "Enter");
        await().atMost(LONG).until(() -> terminal.screen().contains("EXIT:"));

        assertThat(terminal.screen()).containsPattern("CANCELLED +outcome CANCELLED").contains("EXIT:5");
        assertThat(net.addresses(net.a(), "v0")).contains("10.9.0.1/24").doesNotContain("10.9.1.1/24");
    }

    @Test
    void ctrlCCanLeaveTheChangeRunning() throws Exception {
        clients(1);
        TmuxTerminal terminal = terminal(renumber.commandLine("change", "v0", OLD,
                "10.9.1.1/24", "--drain-timeout", "300"));
        await().atMost(LONG).until(() -> terminal.screen().contains("1 of 1 connection left"));

        terminal.send("C-c");
        await().atMost(LONG).until(() -> terminal.screen().contains("Ctrl-C: cancel change"));
        terminal.send("w", "Enter");
        await().atMost(LONG).until(() -> terminal.screen().contains("EXIT:"));

        assertThat(terminal.screen()).contains("Stopped watching; change chg-").contains("EXIT:130");
        assertThat(renumber.run("status").out()).contains("DRAINING");
    }

    private TmuxTerminal terminal(List<String> command) {
        return fixture.keep(TmuxTerminal.start(command));
    }
}
