package org.renumber.cli;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How an agent is started.
 *
 * @param netns          namespace to manage, null for the agent's own
 * @param stateDir       journal and credentials directory
 * @param jolokiaConfig  Jolokia properties file, null for the built-in defaults
 * @param jmxHost        address the JMX connector listens on (loopback by default)
 * @param jmxPort        JMX connector port, 0 to pick a free one
 */
public record AgentOptions(String netns, Path stateDir, Path jolokiaConfig, String jmxHost, int jmxPort) {

    public static final int DEFAULT_JMX_PORT = 9875;

    public AgentOptions {
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(jmxHost, "jmxHost");
    }
}
