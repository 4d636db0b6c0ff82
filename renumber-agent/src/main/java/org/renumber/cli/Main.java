package org.renumber.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Command-line entry point of {@code renumber.jar}. */
@Command(name = "renumber", mixinStandardHelpOptions = true, version = "renumber 0.1.0",
        description = "Change a live node's IP address without breaking its services.",
        subcommands = {AgentCommand.class})
public final class Main implements Runnable {

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
