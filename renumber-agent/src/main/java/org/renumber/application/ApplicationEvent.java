package org.renumber.application;

import java.util.List;
import java.util.Objects;

/**
 * What the monitor did to an application for a change.
 *
 * @param type        restarted or failed
 * @param application the declared application's name
 * @param group       its group
 * @param changeId    the change it reacted to
 * @param interfaceName the interface of the change
 * @param oldAddress  the address the processes held, ADDRESS/PREFIX
 * @param newAddress  the address they are to use now, ADDRESS/PREFIX
 * @param stopped     processes that held the old address and were sent SIGTERM
 * @param killed      those of them still running after the grace period, sent SIGKILL
 * @param started     new processes found after the restart
 * @param message     what happened, in a sentence
 */
public record ApplicationEvent(Type type, String application, String group, String changeId, String interfaceName,
                               String oldAddress, String newAddress, List<Long> stopped, List<Long> killed,
                               List<Long> started, String message) {

    public enum Type {
        RESTARTED,
        FAILED
    }

    public ApplicationEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(application, "application");
        stopped = List.copyOf(stopped);
        killed = List.copyOf(killed);
        started = List.copyOf(started);
        message = message == null ? "" : message;
    }

    /** One readable line for the MBean's history. */
    public String describe() {
        return type.name() + " " + application + " change=" + changeId + " stopped=" + stopped + " killed=" + killed
                + " started=" + started + ": " + message;
    }
}
