package org.renumber.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Command-line entry point of {@code renumber.jar}. */
@Command(name = "renumber", mixinStandardHelpOptions = true, version = "renumber 0.1.0",
        description = {"Change a live node's IP address without breaking its services.",
                "The connection options may also be given after a subcommand; env RENUMBER_URL, RENUMBER_USER and "
                        + "RENUMBER_PASSWORD_FILE stand in for them."},
        subcommands = {AgentCommand.class, PlanCommand.class, ChangeCommand.class, StatusCommand.class,
                WatchCommand.class, CancelCommand.class, SubscribersCommand.class, HistoryCommand.class, DemoCommand.class},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:COMPLETED (or done)", "1:agent unreachable or login refused", "2:refused input, nothing "
                + "changed", "3:TIMED_OUT", "4:FAILED", "5:CANCELLED"})
public final class Main implements Runnable {

    /** The connection options given before the subcommand; each client subcommand takes them too. */
    @Mixin
    ClientOptions options = new ClientOptions();

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line; a bad option value gets its message and the usage, not a stack trace: the operator has an
     * option to fix, not a bug to report.
     */
    static CommandLine commandLine() {
        CommandLine line = new CommandLine(new Main());
        line.setExecutionExceptionHandler((e, failed, parsed) -> {
            if (e instanceof CliFailure failure) {
                failed.getErr().println("renumber: " + failure.getMessage());
                return failure.exitCode();
            }
            if (!(e instanceof IllegalArgumentException)) {
                throw e;
            }
            failed.getErr().println(failed.getColorScheme().errorText(e.getMessage()));
            failed.usage(failed.getErr());
            return failed.getCommandSpec().exitCodeOnInvalidInput();
        });
        return line;
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
