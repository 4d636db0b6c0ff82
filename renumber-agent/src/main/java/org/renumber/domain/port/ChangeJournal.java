package org.renumber.domain.port;

import java.util.List;
import org.renumber.domain.Change;
import org.renumber.domain.Subscription;

/**
 * Durable record of changes and subscriptions. Each write is on disk (fsync'd) before it returns,
 * because the service writes before it acts on the kernel: a killed agent must find what it was doing.
 */
public interface ChangeJournal {

    void saveChange(Change change);

    /** Every journaled change, most recent last. */
    List<Change> changes();

    void saveSubscriptions(List<Subscription> subscriptions);

    List<Subscription> subscriptions();
}
