package org.renumber.cli;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** A {@code renumber} subcommand that talks to a running agent: its connection options, output and exit status. */
abstract class ClientCommand implements Callable<Integer> {

    static final String SERVICE = "renumber:type=AddressChangeService";

    @Mixin
    ClientOptions options = new ClientOptions();

    @ParentCommand
    Main main;

    PrintStream out = System.out;

    JolokiaConnection connect() {
        ClientOptions merged = main == null ? options : options.or(main.options);
        return merged.connect(System.getenv());
    }

    static String changeMBean(String changeId) {
        return "renumber:type=AddressChange,id=" + changeId;
    }

    /** A change id as the agent makes them, so a typo is refused here rather than sent into an ObjectName. */
    static String requireChangeId(String id) {
        if (id == null || !id.strip().matches("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")) {
            throw new CliFailure(CliFailure.REFUSED, "'" + id + "' is not a change id (chg- and 8 hex digits, as "
                    + "renumber change and renumber history print them).");
        }
        return id.strip();
    }
}
