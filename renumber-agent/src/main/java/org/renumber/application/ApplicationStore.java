package org.renumber.application;

import java.util.List;

/** Where the declared applications are kept, so a restarted agent still knows them. */
public interface ApplicationStore {

    List<LegacyApplication> load();

    /** Replaces the stored list; on disk (fsync'd) when it returns. */
    void save(List<LegacyApplication> applications);
}
