package org.renumber.cli;

/**
 * The README's sandbox: a namespace of its own with a veth pair and an IPv4 address, so trying the agent
 * never touches the host's network.
 */
final class Sandbox {

    static final String NAMESPACE = "renumber-sandbox";
    static final String INTERFACE = "rn0";
    static final String PEER_INTERFACE = "rn1";
    static final String ADDRESS = "10.77.0.1/24";
    static final String PEER_ADDRESS = "10.77.0.2/24";
    static final String SUGGESTED_NEW = "10.77.0.9/24";

    /** What was made (or found) and how to try a change. */
    record Layout(String namespace, boolean created) {
        String howToTry(Agent agent) {
            String url = agent.jolokia().url().toString();
            return (created ? "Created" : "Reusing") + " namespace " + namespace + ": " + INTERFACE + " " + ADDRESS
                    + " <-> " + PEER_INTERFACE + " " + PEER_ADDRESS + "\n"
                    + "Try a change (password in the credentials file named above):\n"
                    + "  curl -s -u " + agent.credentials().user() + ":$PASSWORD -H 'Content-Type: application/json' \\\n"
                    + "    -d '{\"type\":\"exec\",\"mbean\":\"renumber:type=AddressChangeService\",\"operation\":\"changeAddress\","
                    + "\"arguments\":[\"" + INTERFACE + "\",\"" + ADDRESS.split("/")[0] + "\",\"" + SUGGESTED_NEW
                    + "\",\"\",30]}' " + url + "\n"
                    + "  ip netns exec " + namespace + " ip addr show " + INTERFACE;
        }
    }

    private Sandbox() {
    }

    static Layout ensure() {
        throw new UnsupportedOperationException("sandbox creation lands with the netlink link operations");
    }
}
