package org.renumber.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code renumber cancel CHANGE_ID}: rolls back a change that has not started removing the old address. */
@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = {"Cancel a change that has not started removing the old address: routes and rules go back, the "
                + "new address is removed, the old one stays. Returns once the change is CANCELLED.",
                "Exit status: 0 cancelled, 2 refused (unknown id, already ended or removing), 1 agent unreachable."})
final class CancelCommand extends ClientCommand {

    @Parameters(index = "0", paramLabel = "CHANGE_ID", description = "The change id, e.g. chg-1dcd0ee0.")
    String changeId;

    @Override
    public Integer call() {
        String id = requireChangeId(changeId);
        connect().exec(SERVICE, "cancelChange", id);
        out.println("change " + id + " CANCELLED");
        return 0;
    }
}
