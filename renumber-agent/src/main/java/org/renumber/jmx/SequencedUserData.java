package org.renumber.jmx;

import static java.util.Objects.requireNonNull;

import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.CompositeDataSupport;
import javax.management.openmbean.CompositeType;
import javax.management.openmbean.OpenDataException;

/**
 * A change event's user data with one subscriber's sequence number in it. Every recipient of an event shares one
 * {@code shared} value and this adds only the number: the connector buffers thousands of these. On the wire it is
 * a plain {@link CompositeDataSupport} ({@link #writeReplace}), so clients need only the JDK.
 */
final class SequencedUserData implements CompositeData, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final CompositeData shared;
    private final String key;
    private final long sequence;

    /** {@code shared} with the item {@code key} (a {@code Long} of its type) reading {@code sequence}. */
    SequencedUserData(CompositeData shared, String key, long sequence) {
        this.shared = requireNonNull(shared, "shared");
        this.key = requireNonNull(key, "key");
        this.sequence = sequence;
        if (!shared.containsKey(key)) {
            throw new IllegalArgumentException("user data has no item " + key);
        }
    }

    @Override
    public CompositeType getCompositeType() {
        return shared.getCompositeType();
    }

    @Override
    public Object get(String item) {
        return key.equals(item) ? (Object) sequence : shared.get(item);
    }

    @Override
    public Object[] getAll(String[] items) {
        return Arrays.stream(items).map(this::get).toArray();
    }

    @Override
    public boolean containsKey(String item) {
        return shared.containsKey(item);
    }

    @Override
    public boolean containsValue(Object value) {
        return values().contains(value);
    }

    @Override
    public Collection<?> values() {
        return new ArrayList<>(asMap().values());
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CompositeData data && plain().equals(data);
    }

    @Override
    public int hashCode() {
        return plain().hashCode();
    }

    @Override
    public String toString() {
        return plain().toString();
    }

    @Serial
    private Object writeReplace() {
        return plain();
    }

    private CompositeDataSupport plain() {
        try {
            return new CompositeDataSupport(getCompositeType(), asMap());
        } catch (OpenDataException e) {
            throw new IllegalStateException("sequenced user data does not fit its type", e);
        }
    }

    private Map<String, Object> asMap() {
        Map<String, Object> items = new TreeMap<>();
        for (String item : getCompositeType().keySet()) {
            items.put(item, get(item));
        }
        return items;
    }
}
