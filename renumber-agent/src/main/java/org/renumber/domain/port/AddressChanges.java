package org.renumber.domain.port;

import java.util.List;
import org.renumber.domain.Change;
import org.renumber.domain.InterfaceAddress;

/**
 * Port: the address changes of this node as the interface monitor sees them. It hands over the renumberings it
 * detects and asks which changes run or ran, so it can tell the agent's own kernel events from an operator's.
 */
public interface AddressChanges {

    /**
     * Runs the workflow around a renumbering an operator did by hand (both addresses are already on the interface).
     *
     * @return the id of the detected change
     */
    String adoptManualChange(String interfaceName, InterfaceAddress oldAddress, InterfaceAddress newAddress,
                             long drainTimeoutSeconds, boolean removeAlias);

    List<Change> activeChanges();

    /** Finished changes, most recent first. */
    List<Change> recentChanges();

    /** Tells {@code listener} about every change from now on. */
    void addListener(ChangeListener listener);
}
