package org.renumber.jmx;

/**
 * The descriptions of the parameters the change operations share ({@link ManagedService}): one text per meaning, so
 * changeAddress, scheduleChange and their dry run describe an argument alike. Annotation values, hence constants.
 */
final class ChangeParams {

    static final String INTERFACE = "interface to renumber, e.g. eth0";
    static final String OLD_ADDRESS = "address to replace, as configured on the interface (e.g. 10.9.0.1; the prefix "
            + "may be given, 10.9.0.1/24)";
    static final String NEW_ADDRESS = "address to move to, ADDRESS/PREFIX (e.g. 10.9.1.1/24); without /PREFIX the old "
            + "address's prefix is used";
    /** Who a change concerns, after "who is notified: " and the like. */
    private static final String TARGET_LIST = "empty for every subscriber whose scope covers the old address or "
            + "interface, otherwise a comma list of subscriber ids and group:NAME entries";
    static final String TARGETS = "who is notified: " + TARGET_LIST;
    static final String WARNED_TARGETS = "who is warned and notified: " + TARGET_LIST;
    static final String PLANNED_TARGETS = "who would be notified: " + TARGET_LIST;
    static final String DRAIN_TIMEOUT = "how long to wait for connections on the old address to close before "
            + "removing it anyway (reported as a timeout), in seconds (0 to 604800)";

    static final String SHARED_INTERFACE = "interface holding the shared address, e.g. eth0";
    static final String SHARED_OLD_ADDRESS = "the shared address the targets leave, as configured on the interface "
            + "(e.g. 10.9.0.1); it stays configured";
    static final String MIGRATED_NEW_ADDRESS = "address the targets move to, ADDRESS/PREFIX (e.g. 10.9.0.7/24); it "
            + "may already be on this interface";
    /** The subscribers a migration moves, after "who moves" and the like. */
    private static final String MOVED_LIST = "required: a comma list of subscriber ids and group:NAME entries; each "
            + "must have its Pid recorded";
    static final String MOVED_TARGETS = "who moves, " + MOVED_LIST;
    static final String WARNED_MOVED_TARGETS = "who is warned and moves, " + MOVED_LIST;
    static final String PLANNED_MOVED_TARGETS = "who would move, " + MOVED_LIST;
    static final String MIGRATION_DRAIN_TIMEOUT = "how long to wait for the targets' connections on the old address "
            + "to close, in seconds (0 to 604800)";

    static final String WARNING_SECONDS = "how long the targets have to get ready before the change starts anyway, "
            + "in seconds (1 to 86400)";
    static final String MIGRATION_WARNING_SECONDS = "how long the targets have to get ready before the migration "
            + "starts anyway, in seconds (1 to 86400)";

    static final String CHANGE_ID = "change id returned by changeAddress";

    private ChangeParams() {
    }
}
