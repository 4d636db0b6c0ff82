package org.renumber.domain.port;

import org.renumber.domain.ChangeEvent;

/**
 * Port: told about changes so adapters (JMX, hooks) and the application monitor can act on them; called from
 * workflow threads, must not block.
 */
public interface ChangeListener {

    default void changeAccepted(String changeId) {
    }

    default void changeEvicted(String changeId) {
    }

    default void event(ChangeEvent event) {
    }
}
