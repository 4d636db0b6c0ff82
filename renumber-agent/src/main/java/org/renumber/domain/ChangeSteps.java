package org.renumber.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Kernel steps a change has taken. Each is journaled before the kernel is touched, so recovery and rollback may
 * find a step recorded that the kernel never saw; undoing it is then a no-op. Journals written before a component
 * existed read it as false, null or empty. Start from {@link #NONE} and add steps with the {@code with} methods.
 *
 * @param newAddressAdded       the agent added the new address (so rollback removes it)
 * @param routeSteered          the old subnet's IPv4 connected route now prefers the new source
 * @param promoteSecondariesSet the agent switched promote_secondaries on (so it switches it back off)
 * @param rollbackPending       the change is being rolled back (outcome and error already say why); a restarted
 *                              agent finishes the rollback instead of resuming
 * @param oldAddressLifetimes   the old IPv6 address's lifetimes before the agent deprecated it (preferred lifetime
 *                              0), so rollback can give them back; null while not deprecated
 * @param movedRoutes           routes whose preferred source was the old address and that the agent re-pointed to
 *                              the new one (rollback points them back)
 * @param guardApplied          new inbound connections to the old address are being refused (the rule is released
 *                              when the change ends, however it ends, also after a restart)
 * @param forceClosed           what the agent destroyed on the old address at the deadline, null if nothing
 * @param copiedRules           policy rules naming the old address ({@code from OLD}, {@code to OLD}) whose copy for
 *                              the new address the agent added (rollback deletes the copies; a rule the new address
 *                              already had is not listed, so it is never the agent's to delete)
 */
public record ChangeSteps(boolean newAddressAdded, boolean routeSteered, boolean promoteSecondariesSet,
                          boolean rollbackPending, AddressLifetimes oldAddressLifetimes, List<SourceRoute> movedRoutes,
                          boolean guardApplied, String forceClosed, List<AddressRule> copiedRules) {

    /** No step taken yet. */
    public static final ChangeSteps NONE =
            new ChangeSteps(false, false, false, false, null, List.of(), false, null, List.of());

    public ChangeSteps {
        movedRoutes = movedRoutes == null ? List.of() : List.copyOf(movedRoutes);
        copiedRules = copiedRules == null ? List.of() : List.copyOf(copiedRules);
    }

    public ChangeSteps withNewAddressAdded() {
        return with(b -> b.newAddressAdded = true);
    }

    public ChangeSteps withRouteSteered(boolean steered) {
        return with(b -> b.routeSteered = steered);
    }

    public ChangeSteps withPromoteSecondariesSet(boolean set) {
        return with(b -> b.promoteSecondariesSet = set);
    }

    public ChangeSteps withRollbackPending(boolean pending) {
        return with(b -> b.rollbackPending = pending);
    }

    public ChangeSteps withOldAddressDeprecated(AddressLifetimes before) {
        return with(b -> b.oldAddressLifetimes = before);
    }

    /** Adds routes to {@link #movedRoutes} (those already there are kept once). */
    public ChangeSteps withMovedRoutes(List<SourceRoute> more) {
        return with(b -> b.movedRoutes = union(movedRoutes, more));
    }

    /** Adds rules to {@link #copiedRules} (those already there are kept once). */
    public ChangeSteps withCopiedRules(List<AddressRule> more) {
        return with(b -> b.copiedRules = union(copiedRules, more));
    }

    public ChangeSteps withGuardApplied(boolean applied) {
        return with(b -> b.guardApplied = applied);
    }

    public ChangeSteps withForceClosed(String closed) {
        return with(b -> b.forceClosed = closed);
    }

    public boolean oldAddressDeprecated() {
        return oldAddressLifetimes != null;
    }

    private static <T> List<T> union(List<T> journaled, List<T> more) {
        List<T> all = new ArrayList<>(journaled);
        more.stream().filter(item -> !all.contains(item)).forEach(all::add);
        return all;
    }

    /** Copies every component, lets {@code edit} change some, and builds the next value: one place names them all. */
    private ChangeSteps with(Consumer<Editor> edit) {
        Editor b = new Editor(this);
        edit.accept(b);
        return new ChangeSteps(b.newAddressAdded, b.routeSteered, b.promoteSecondariesSet, b.rollbackPending,
                b.oldAddressLifetimes, b.movedRoutes, b.guardApplied, b.forceClosed, b.copiedRules);
    }

    private static final class Editor {
        boolean newAddressAdded;
        boolean routeSteered;
        boolean promoteSecondariesSet;
        boolean rollbackPending;
        AddressLifetimes oldAddressLifetimes;
        List<SourceRoute> movedRoutes;
        boolean guardApplied;
        String forceClosed;
        List<AddressRule> copiedRules;

        Editor(ChangeSteps from) {
            newAddressAdded = from.newAddressAdded;
            routeSteered = from.routeSteered;
            promoteSecondariesSet = from.promoteSecondariesSet;
            rollbackPending = from.rollbackPending;
            oldAddressLifetimes = from.oldAddressLifetimes;
            movedRoutes = from.movedRoutes;
            guardApplied = from.guardApplied;
            forceClosed = from.forceClosed;
            copiedRules = from.copiedRules;
        }
    }
}
