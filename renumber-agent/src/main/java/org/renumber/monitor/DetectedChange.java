package org.renumber.monitor;

/**
 * A renumbering done by hand and what the agent made of it.
 *
 * @param renumbering what was detected
 * @param changeId    the detected change that now runs the workflow around it, or null if there is none
 * @param error       why no change was started (e.g. another change runs on the interface), or null
 */
public record DetectedChange(Renumbering renumbering, String changeId, String error) {
}
