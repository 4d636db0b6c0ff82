package org.renumber.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Generated cases for the targets argument: parsed, or refused naming targets, never anything else. */
class TargetsProperties {

    @Property
    void anyTextIsParsedOrRefusedNamingTargets(@ForAll String text) {
        try {
            Targets targets = Targets.parse(text);
            assertThat(targets.isAll()).isEqualTo(text.isBlank());
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).startsWith("targets ");
        }
    }

    @Property
    void validIdsAndGroupsRoundTrip(@ForAll("names") List<String> ids, @ForAll("names") List<String> groups) {
        StringBuilder text = new StringBuilder();
        ids.forEach(id -> text.append(text.length() == 0 ? "" : ",").append(id));
        groups.forEach(g -> text.append(text.length() == 0 ? "" : ", ").append("group:").append(g));
        Targets targets = Targets.parse(text.toString());
        assertThat(targets.subscriberIds()).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(targets.groups()).containsExactlyInAnyOrderElementsOf(groups);
    }

    @Provide
    Arbitrary<List<String>> names() {
        return Arbitraries.strings().withChars("abcxyz019._@-").ofMinLength(1).ofMaxLength(64)
                .filter(s -> org.renumber.domain.Subscription.NAME.matcher(s).matches()).list().ofMaxSize(5)
                .uniqueElements();
    }
}
