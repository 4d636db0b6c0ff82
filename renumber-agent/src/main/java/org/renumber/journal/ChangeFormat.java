package org.renumber.journal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import org.renumber.domain.Change;
import org.renumber.domain.ChangeKind;

/**
 * How a {@link Change} is laid out in its journal file, and how every layout written so far is read.
 *
 * <p>Files carry {@value #FIELD}. Version 2 holds the change's {@code request} and its {@code progress} as two
 * objects. Version 1 held the same components flat, in one object; files without the field (version 0) come from
 * agents before it existed, whose flat layouts only ever gained components. An older file is upgraded step by step
 * ({@link #upgradeFrom0}, {@link #upgradeFrom1}) and then read as a version 2 file. A file from a newer agent is
 * refused, never half read: a downgraded agent must not resume a change whose steps it cannot see. The layouts are
 * kept as test resources ({@code src/test/resources/journal}) and docs/architecture.md lists them.
 */
final class ChangeFormat {

    /** The field naming the layout. */
    static final String FIELD = "schemaVersion";
    /** The layout this agent writes. */
    static final int CURRENT = 2;

    private final ObjectMapper mapper;
    private final ObjectReader reader;

    ChangeFormat(ObjectMapper mapper) {
        this.mapper = requireNonNull(mapper, "mapper");
        // A versioned file names only components this agent knows: anything else is a renamed or a newer component,
        // and ignoring it would lose journaled data silently.
        this.reader = mapper.readerFor(Change.class).with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    byte[] write(Change change) throws IOException {
        return mapper.writeValueAsBytes(tree(change));
    }

    /** What {@link #write} writes, as a tree: for a file that embeds a change (EventLogFile) without a round trip. */
    ObjectNode tree(Change change) {
        ObjectNode file = mapper.createObjectNode();
        file.put(FIELD, CURRENT);
        file.setAll((ObjectNode) mapper.valueToTree(change));
        return file;
    }

    /**
     * @throws NewerJournalException when the file was written by a newer agent
     * @throws IOException           when it is no journaled change
     */
    Change read(byte[] bytes) throws IOException {
        JsonNode json = mapper.readTree(bytes);
        if (json == null || !json.isObject()) {
            throw new IOException("not a JSON object");
        }
        ObjectNode file = (ObjectNode) json;
        JsonNode versionNode = file.remove(FIELD);
        int version = versionNode == null ? 0 : versionNode.asInt(-1);
        if (version < 0 || (versionNode != null && !versionNode.canConvertToInt())) {
            throw new IOException(FIELD + " " + versionNode + " is not a version number");
        }
        if (version > CURRENT) {
            throw new NewerJournalException(version);
        }
        if (version == 0) {
            upgradeFrom0(file);
        }
        return reader.readValue(version < 2 ? upgradeFrom1(file) : file);
    }

    /**
     * Version 0, the unversioned layouts: before detected changes (8bed4da) a file had no {@code kind} and no
     * {@code removeOldAddress}, and every change then was requested and removed its old address. Later components
     * (Steps' lifetimes, moved routes, guard, force-close and copied rules; the warning) read as absent, which is
     * what they meant.
     */
    private static void upgradeFrom0(ObjectNode file) {
        if (!file.has("kind")) {
            file.put("kind", ChangeKind.REQUESTED.name());
        }
        if (!file.has("removeOldAddress")) {
            file.put("removeOldAddress", true);
        }
    }

    /**
     * The components of versions 0 and 1, flat in one object, as they are nested in version 2. Frozen: these are
     * the old layouts, not today's records.
     */
    private static final List<String> REQUEST_COMPONENTS_1 = List.of("id", "interfaceName", "oldAddress",
            "newAddress", "targets", "subscriberIds", "drainTimeoutSeconds", "kind", "removeOldAddress", "warning",
            "requestedAt");
    private static final List<String> PROGRESS_COMPONENTS_1 = List.of("state", "outcome", "error",
            "remainingConnections", "startedAt", "deadline", "finishedAt", "steps");

    /**
     * Version 1, the flat {@code Change} of 19 components: each moves into {@code request} or {@code progress},
     * unchanged. A component of neither list stays at the top, so a versioned file with an unknown component is
     * still refused instead of half read.
     */
    private ObjectNode upgradeFrom1(ObjectNode flat) {
        ObjectNode request = mapper.createObjectNode();
        ObjectNode progress = mapper.createObjectNode();
        ObjectNode nested = mapper.createObjectNode();
        flat.properties().forEach(component -> {
            String name = component.getKey();
            ObjectNode into = REQUEST_COMPONENTS_1.contains(name) ? request
                    : PROGRESS_COMPONENTS_1.contains(name) ? progress : nested;
            into.set(name, component.getValue());
        });
        nested.set("request", request);
        nested.set("progress", progress);
        return nested;
    }

    /** A journal file from an agent newer than this one. */
    static final class NewerJournalException extends IOException {
        NewerJournalException(int version) {
            super("it was written by a newer agent (journal " + FIELD + " " + version + "; this agent reads up to "
                    + CURRENT + "): run that agent version or newer, or move the file away to drop the change");
        }
    }
}
