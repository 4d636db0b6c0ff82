package org.renumber.domain;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What was asked of a change, fixed when it was accepted (the warning's acknowledgements excepted, which the
 * targets add while it runs). Its progress is {@link ChangeProgress}; together they are a {@link Change}. Built with
 * {@link #builder()}.
 *
 * @param id                  change id, also the MBean key
 * @param interfaceName       interface being renumbered
 * @param oldAddress          address being replaced (with its prefix as configured)
 * @param newAddress          address being added
 * @param targets             the targets expression as the operator gave it (empty = all matching)
 * @param subscriberIds       the subscribers the change notifies, resolved when it was accepted
 * @param drainTimeoutSeconds drain timeout
 * @param kind                requested by an operator, detected after an operator renumbered by hand, or a migration
 * @param removeOldAddress    whether the workflow removes the old address at the end (a detected change leaves the
 *                            alias to the operator unless told otherwise; a migration keeps it for the applications
 *                            that were not moved)
 * @param warning             the warning of a scheduled change (scheduleChange), null for a change without one
 * @param requestedAt         when it was accepted
 */
public record ChangeRequest(
        String id,
        String interfaceName,
        InterfaceAddress oldAddress,
        InterfaceAddress newAddress,
        String targets,
        List<String> subscriberIds,
        long drainTimeoutSeconds,
        ChangeKind kind,
        boolean removeOldAddress,
        ChangeWarning warning,
        Instant requestedAt) {

    public ChangeRequest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(interfaceName, "interfaceName");
        Objects.requireNonNull(oldAddress, "oldAddress");
        Objects.requireNonNull(newAddress, "newAddress");
        Objects.requireNonNull(requestedAt, "requestedAt");
        targets = targets == null ? "" : targets;
        subscriberIds = subscriberIds == null ? List.of() : List.copyOf(subscriberIds);
        kind = kind == null ? ChangeKind.REQUESTED : kind;
    }

    /** A request: by default REQUESTED, removing the old address, without targets, subscribers or warning. */
    public static Builder builder() {
        return new Builder();
    }

    public ChangeRequest withWarning(ChangeWarning next) {
        return new ChangeRequest(id, interfaceName, oldAddress, newAddress, targets, subscriberIds,
                drainTimeoutSeconds, kind, removeOldAddress, next, requestedAt);
    }

    /** Builds a {@link ChangeRequest}; id, interface, both addresses and requestedAt are required. */
    public static final class Builder {
        private String id;
        private String interfaceName;
        private InterfaceAddress oldAddress;
        private InterfaceAddress newAddress;
        private String targets = "";
        private List<String> subscriberIds = List.of();
        private long drainTimeoutSeconds;
        private ChangeKind kind = ChangeKind.REQUESTED;
        private boolean removeOldAddress = true;
        private ChangeWarning warning;
        private Instant requestedAt;

        private Builder() {
        }

        public Builder id(String value) {
            id = value;
            return this;
        }

        /** The interface and the old and new address on it. */
        public Builder renumber(String interfaceName, InterfaceAddress oldAddress, InterfaceAddress newAddress) {
            this.interfaceName = interfaceName;
            this.oldAddress = oldAddress;
            this.newAddress = newAddress;
            return this;
        }

        public Builder targets(String value) {
            targets = value;
            return this;
        }

        public Builder subscriberIds(List<String> value) {
            subscriberIds = value;
            return this;
        }

        public Builder drainTimeoutSeconds(long value) {
            drainTimeoutSeconds = value;
            return this;
        }

        public Builder kind(ChangeKind value) {
            kind = value;
            return this;
        }

        public Builder removeOldAddress(boolean value) {
            removeOldAddress = value;
            return this;
        }

        public Builder warning(ChangeWarning value) {
            warning = value;
            return this;
        }

        public Builder requestedAt(Instant value) {
            requestedAt = value;
            return this;
        }

        public ChangeRequest build() {
            return new ChangeRequest(id, interfaceName, oldAddress, newAddress, targets, subscriberIds,
                    drainTimeoutSeconds, kind, removeOldAddress, warning, requestedAt);
        }
    }
}
