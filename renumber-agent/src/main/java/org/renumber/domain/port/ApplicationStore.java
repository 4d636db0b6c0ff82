package org.renumber.domain.port;

import java.util.List;
import org.renumber.domain.LegacyApplication;

/** Where the declared applications are kept, so a restarted agent still knows them. */
public interface ApplicationStore {

    List<LegacyApplication> load();

    /** Replaces the stored list; on disk (fsync'd) when it returns. */
    void save(List<LegacyApplication> applications);
}
