package org.renumber.testing;

import java.time.Instant;
import org.renumber.domain.Change;
import org.renumber.domain.ChangeProgress;
import org.renumber.domain.ChangeRequest;
import org.renumber.domain.ChangeState;
import org.renumber.domain.ChangeSteps;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.Outcome;

/** Changes as an agent killed mid-way left them in its journal, for the recovery tests. */
public final class JournaledChanges {

    /** A change killed after it added the new address and steered new connections to it. */
    public static final ChangeSteps ADDED_AND_STEERED = ChangeSteps.NONE.withNewAddressAdded().withRouteSteered(true);

    private JournaledChanges() {
    }

    /** A request on {@code v0} with a 30 s drain timeout, accepted now. */
    public static ChangeRequest.Builder request(String id, InterfaceAddress old, InterfaceAddress fresh) {
        return ChangeRequest.builder().id(id).renumber("v0", old, fresh).drainTimeoutSeconds(30)
                .requestedAt(Instant.now());
    }

    /**
     * {@code request} killed in {@code state} after {@code steps}; from DRAINING on, its drain started when it was
     * requested.
     */
    public static Change killedIn(ChangeRequest request, ChangeState state, ChangeSteps steps, Outcome outcome) {
        boolean started = state == ChangeState.DRAINING || state == ChangeState.REMOVING;
        Instant at = request.requestedAt();
        return new Change(request, ChangeProgress.of(state).with(p -> {
            p.steps = steps;
            p.outcome = outcome;
            p.startedAt = started ? at : null;
            p.deadline = started ? at.plusSeconds(request.drainTimeoutSeconds()) : null;
        }));
    }
}
