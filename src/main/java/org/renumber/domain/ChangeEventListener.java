package org.renumber.domain;

/** Receives change events; the JMX adapter turns them into notifications. Must not block. */
@FunctionalInterface
public interface ChangeEventListener {
    void onEvent(ChangeEvent event);
}
