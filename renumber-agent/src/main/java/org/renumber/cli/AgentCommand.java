package org.renumber.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.renumber.hooks.HookDispatcher;
import org.renumber.journal.StateDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code renumber agent}: runs the agent until it is stopped (SIGTERM / Ctrl-C). */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = "Run the Renumber agent: MBeans, JMX connector and Jolokia, managing one network namespace.")
final class AgentCommand implements Callable<Integer> {

    @Option(names = "--netns", paramLabel = "NAME",
            description = "Network namespace to manage (/run/netns/NAME). Default: the agent's own namespace.")
    String netns;

    @Option(names = "--sandbox",
            description = "Create (or reuse) the namespace '" + Sandbox.NAMESPACE + "' with a veth pair and an IPv4 "
                    + "address, and manage it. Nothing outside that namespace is touched.")
    boolean sandbox;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Journal, subscriptions and generated credentials. Default: ${DEFAULT-VALUE}.")
    Path stateDir = StateDirectory.DEFAULT;

    @Option(names = "--jolokia-config", paramLabel = "FILE",
            description = "Jolokia agent properties. Default: ./jolokia.properties when present, else built-in "
                    + "defaults (127.0.0.1:8778, context /jolokia).")
    Path jolokiaConfig;

    @Option(names = "--jmx-port", paramLabel = "PORT",
            description = "Port of the JMX RMI connector on 127.0.0.1. Default: ${DEFAULT-VALUE}.")
    int jmxPort = AgentOptions.DEFAULT_JMX_PORT;

    @Option(names = "--netns-jmx-port", paramLabel = "PORT",
            description = "Also serve the JMX connector on 127.0.0.1:PORT inside the managed namespace (--netns or "
                    + "--sandbox), for applications running there (they cannot reach the agent's own loopback). Same "
                    + "login and access rules. Default: off.")
    Integer netnsJmxPort;

    @Option(names = "--hooks-dir", paramLabel = "DIR",
            description = "Dispatcher hooks: every executable file in DIR runs, in name order, on each change event "
                    + "as HOOK INTERFACE EVENT (see the README). Absent: no hooks. Default: ${DEFAULT-VALUE}.")
    Path hooksDir = HookDispatcher.DEFAULT_DIR;

    @Override
    public Integer call() throws Exception {
        if (sandbox && netns != null) {
            throw new IllegalArgumentException("--sandbox and --netns are exclusive: the sandbox is its own namespace");
        }
        if (jmxPort < 0 || jmxPort > 65535) {
            throw new IllegalArgumentException("--jmx-port " + jmxPort + " is not a TCP port");
        }
        if (netnsJmxPort != null && (netnsJmxPort < 1 || netnsJmxPort > 65535)) {
            throw new IllegalArgumentException("--netns-jmx-port " + netnsJmxPort + " is not a TCP port");
        }
        if (netnsJmxPort != null && netns == null && !sandbox) {
            throw new IllegalArgumentException("--netns-jmx-port needs --netns or --sandbox: without a managed "
                    + "namespace, applications reach the connector on --jmx-port");
        }
        Path jolokia = jolokiaConfig;
        if (jolokia == null && Files.isRegularFile(Path.of("jolokia.properties"))) {
            jolokia = Path.of("jolokia.properties");
        }
        String managed = netns;
        Sandbox.Layout layout = null;
        if (sandbox) {
            layout = Sandbox.ensure();
            managed = layout.namespace();
        }
        AgentOptions options = new AgentOptions(managed, stateDir, jolokia, "127.0.0.1", jmxPort,
                netnsJmxPort == null ? AgentOptions.NO_NETNS_JMX : netnsJmxPort, hooksDir);
        AgentStartup.check(options);
        CountDownLatch stopped = new CountDownLatch(1);
        try (Agent agent = startOrExplain(options, jolokia)) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                agent.close();
                stopped.countDown();
            }, "renumber-shutdown"));
            System.out.println(agent.describe());
            if (layout != null) {
                System.out.println(layout.howToTry(agent));
            }
            stopped.await();
        }
        return 0;
    }

    /** Starts the agent; a failure is one sentence ({@link AgentStartup}), the agent closed again. */
    private static Agent startOrExplain(AgentOptions options, Path jolokia) {
        try {
            return Agent.start(options);
        } catch (CliFailure e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw AgentStartup.explain(e, jolokia);
        }
    }
}
