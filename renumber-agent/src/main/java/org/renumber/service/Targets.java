package org.renumber.service;

import java.util.LinkedHashSet;
import java.util.Set;
import org.renumber.domain.Subscription;

/**
 * The {@code targets} argument of a change: empty means every subscriber whose scope covers the change,
 * otherwise a comma list of subscriber ids and {@code group:NAME} entries.
 */
record Targets(Set<String> subscriberIds, Set<String> groups) {

    static final String GROUP_PREFIX = "group:";

    Targets {
        subscriberIds = Set.copyOf(subscriberIds);
        groups = Set.copyOf(groups);
    }

    boolean isAll() {
        return subscriberIds.isEmpty() && groups.isEmpty();
    }

    static Targets parse(String text) {
        Set<String> ids = new LinkedHashSet<>();
        Set<String> groups = new LinkedHashSet<>();
        if (text == null || text.isBlank()) {
            return new Targets(ids, groups);
        }
        for (String raw : text.split(",", -1)) {
            String entry = raw.strip();
            if (entry.isEmpty()) {
                throw new IllegalArgumentException("targets '" + text + "' has an empty entry: write ids and group:NAME separated by commas");
            }
            if (entry.startsWith(GROUP_PREFIX)) {
                String group = entry.substring(GROUP_PREFIX.length()).strip();
                if (!Subscription.NAME.matcher(group).matches()) {
                    throw new IllegalArgumentException("targets entry '" + entry + "' does not name a valid group");
                }
                groups.add(group);
            } else {
                if (!Subscription.NAME.matcher(entry).matches()) {
                    throw new IllegalArgumentException("targets entry '" + entry + "' is not a valid subscriber id");
                }
                ids.add(entry);
            }
        }
        return new Targets(ids, groups);
    }
}
