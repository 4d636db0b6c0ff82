package org.renumber.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Command-line entry point of {@code renumber.jar}. */
@Command(name = "renumber", mixinStandardHelpOptions = true, version = "renumber 0.1.0",
        description = "Change a live node's IP address without breaking its services.",
        subcommands = {AgentCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
