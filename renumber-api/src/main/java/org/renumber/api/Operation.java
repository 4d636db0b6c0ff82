package org.renumber.api;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One MBean operation as a JMX client invokes it: its name and its parameter types.
 *
 * @param name           the operation's name
 * @param parameterTypes the class names of its parameters ({@code "long"} for a primitive), in order
 */
public record Operation(String name, List<String> parameterTypes) {

    public Operation {
        requireNonNull(name, "name");
        parameterTypes = List.copyOf(parameterTypes);
    }

    Operation(String name, String... parameterTypes) {
        this(name, List.of(parameterTypes));
    }

    /** The signature argument of {@code MBeanServerConnection.invoke}, a fresh array each time. */
    public String[] signature() {
        return parameterTypes.toArray(String[]::new);
    }
}
