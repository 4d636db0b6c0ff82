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
 * @param netnsJmxPort   port of a second JMX connector on the loopback of the managed namespace, for applications
 *                       that run there; 0 to pick a free one, {@link #NO_NETNS_JMX} for none
 * @param hooksDir       dispatcher hooks directory; null (or a directory that does not exist) for no hooks
 */
public record AgentOptions(String netns, Path stateDir, Path jolokiaConfig, String jmxHost, int jmxPort,
                           int netnsJmxPort, Path hooksDir) {

    public static final int DEFAULT_JMX_PORT = 9875;
    public static final int NO_NETNS_JMX = -1;

    public AgentOptions {
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(jmxHost, "jmxHost");
        if (netnsJmxPort != NO_NETNS_JMX && netns == null) {
            throw new IllegalArgumentException("a JMX connector inside the managed namespace needs a managed "
                    + "namespace (--netns or --sandbox); without one, applications reach the agent's own connector");
        }
        if (netnsJmxPort < NO_NETNS_JMX || netnsJmxPort > 65535) {
            throw new IllegalArgumentException("JMX port " + netnsJmxPort + " in the managed namespace is not a TCP "
                    + "port");
        }
    }

    /** Options without hooks. */
    public AgentOptions(String netns, Path stateDir, Path jolokiaConfig, String jmxHost, int jmxPort,
                        int netnsJmxPort) {
        this(netns, stateDir, jolokiaConfig, jmxHost, jmxPort, netnsJmxPort, null);
    }

    /** Options without a connector inside the managed namespace. */
    public AgentOptions(String netns, Path stateDir, Path jolokiaConfig, String jmxHost, int jmxPort) {
        this(netns, stateDir, jolokiaConfig, jmxHost, jmxPort, NO_NETNS_JMX);
    }
}
