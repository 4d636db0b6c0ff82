package org.renumber.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import javax.management.MBeanServer;
import org.renumber.application.ApplicationMonitor;
import org.renumber.domain.port.KernelPorts;
import org.renumber.hooks.HookDispatcher;
import org.renumber.jmx.JmxAdapter;
import org.renumber.jmx.JmxRemoteServer;
import org.renumber.jmx.SocketPlace;
import org.renumber.jolokia.JolokiaAgent;
import org.renumber.journal.ApplicationsFile;
import org.renumber.journal.EventLogFile;
import org.renumber.journal.FileJournal;
import org.renumber.journal.MonitorSettingsFile;
import org.renumber.journal.ProcessLock;
import org.renumber.journal.ServiceSettingsFile;
import org.renumber.journal.StateDirectory;
import org.renumber.linux.LinuxNetns;
import org.renumber.linux.NftablesGuard;
import org.renumber.linux.rtnl.NetlinkNetworkControl;
import org.renumber.linux.rtnl.RtnetlinkAddressEvents;
import org.renumber.linux.sockdiag.SockDiagConnectionTracker;
import org.renumber.linux.sockdiag.SockDiagSocketInventory;
import org.renumber.linux.sockdiag.SockDiagSocketKiller;
import org.renumber.monitor.InterfaceMonitor;
import org.renumber.process.ProcfsProcessControl;
import org.renumber.process.ProcfsSocketOwners;
import org.renumber.security.Credentials;
import org.renumber.security.CredentialsStore;
import org.renumber.security.LoginBackoff;
import org.renumber.service.AddressChangeService;
import org.renumber.service.SubscriberRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The assembly: wires the kernel adapters, the journal and the service, publishes the MBeans, starts the
 * interface monitor, then opens the JMX connector and Jolokia. Read top to bottom, {@link #start} is the whole agent.
 */
public final class Agent implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Agent.class);
    /** Lock file in the state directory; it names the pid of the agent using it. */
    public static final String STATE_LOCK = "agent.lock";
    // Above this, the JVM was started without the launcher's heap bound (the default is a quarter of memory).
    private static final long UNBOUNDED_HEAP_MIB = 512;
    /** Where the namespace locks live: one file per managed namespace, naming the pid of its agent. */
    static final Path LOCK_DIR = Path.of("/run/renumber");

    private final AgentOptions options;
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private AddressChangeService service;
    private JmxRemoteServer jmx;
    private JmxRemoteServer netnsJmx;
    private JolokiaAgent jolokia;
    private Credentials credentials;
    private String credentialsSource;

    private Agent(AgentOptions options) {
        this.options = options;
    }

    public static Agent start(AgentOptions options) throws IOException {
        Agent agent = new Agent(options);
        try {
            agent.assemble();
            return agent;
        } catch (IOException | RuntimeException e) {
            agent.close();
            throw e;
        }
    }

    private void assemble() throws IOException {
        long maxHeapMiB = Runtime.getRuntime().maxMemory() >> 20;
        if (maxHeapMiB > UNBOUNDED_HEAP_MIB) {
            log.warn("the JVM may grow its heap to {} MiB; run the agent with packaging/renumber-agent (or -Xmx128m "
                    + "-XX:+UseSerialGC) to keep it small", maxHeapMiB);
        }
        // Two agents on one state directory would journal over each other; two on one namespace would steer the
        // same routes. Both are locked for the agent's life (the kernel drops the locks if it dies).
        StateDirectory.ensure(options.stateDir());
        keep(ProcessLock.take(options.stateDir().resolve(STATE_LOCK), "using the state directory "
                + options.stateDir().toAbsolutePath()));
        LinuxNetns netns = keep(LinuxNetns.open(options.netns()));
        keep(ProcessLock.take(namespaceLock(options.netns()), "managing " + netns.describe() + " (state directory "
                + options.stateDir().toAbsolutePath() + ")"));
        NetlinkNetworkControl network = keep(new NetlinkNetworkControl(netns));
        SockDiagConnectionTracker tracker = keep(new SockDiagConnectionTracker(netns));
        SockDiagSocketKiller killer = keep(new SockDiagSocketKiller(netns));
        SockDiagSocketInventory inventory = keep(new SockDiagSocketInventory(netns));
        KernelPorts kernel = new KernelPorts(network, tracker, new NftablesGuard(netns), killer,
                new ProcfsSocketOwners());
        FileJournal journal = new FileJournal(options.stateDir());
        SubscriberRegistry subscribers = new SubscriberRegistry(journal);
        ServiceSettingsFile settings = new ServiceSettingsFile(options.stateDir());
        HookDispatcher hooks = keep(new HookDispatcher(options.hooksDir(),
                () -> settings.current().hookTimeoutSeconds()));
        service = keep(new AddressChangeService(kernel, journal, settings, subscribers, Clock.systemUTC(), hooks));
        service.addListener(hooks);

        MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();
        JmxAdapter mbeanAdapter = keep(JmxAdapter.export(mbeans, service, tracker, inventory,
                new EventLogFile(options.stateDir())));
        // Before the service starts: a resumed change repeats its STARTED, and legacy applications still on the
        // old address are restarted then.
        ApplicationMonitor applications = keep(new ApplicationMonitor(new ApplicationsFile(options.stateDir()),
                new ProcfsProcessControl(options.netns(), options.stateDir().resolve("applications")), tracker));
        mbeanAdapter.exportApplicationMonitor(applications);
        service.addListener(applications);
        subscribers.addGroupSource(applications::groups);
        service.planner().addApplicationPreview(applications::wouldRestart);
        // MBeans first, so the changes the journal resumes are visible from their first notification.
        service.start();

        // The monitor hands renumberings done by hand to the running service, so it starts after it.
        InterfaceMonitor monitor = keep(new InterfaceMonitor(new RtnetlinkAddressEvents(netns, Clock.systemUTC()),
                service, tracker, new MonitorSettingsFile(options.stateDir()), Clock.systemUTC()));
        mbeanAdapter.exportInterfaceMonitor(monitor, network);
        monitor.start();

        Map<String, String> jolokiaProperties = options.jolokiaConfig() == null
                ? Map.of() : JolokiaAgent.readProperties(options.jolokiaConfig());
        credentials = CredentialsStore.load(jolokiaProperties, options.stateDir());
        credentialsSource = jolokiaProperties.containsKey(CredentialsStore.PASSWORD_KEY)
                ? String.valueOf(options.jolokiaConfig())
                : options.stateDir().resolve(CredentialsStore.FILE_NAME).toString();
        // One count of failed logins per client for both endpoints: switching endpoints buys a guesser nothing.
        LoginBackoff logins = new LoginBackoff(Clock.systemUTC());
        // Sized from the subscriptions the journal holds; the buffer keeps only what remote clients listen to.
        int buffer = JmxRemoteServer.notificationBufferSize(subscribers.all().size());
        jmx = keep(JmxRemoteServer.start(mbeans, options.jmxHost(), options.jmxPort(), credentials, buffer,
                SocketPlace.HERE, "", logins));
        jmx.follow(subscribers); // and grown with the subscriptions made from now on
        if (options.netnsJmxPort() != AgentOptions.NO_NETNS_JMX) {
            // Applications in the managed namespace cannot reach the agent's own loopback; they get the same
            // connector (same login, same access rules) on theirs.
            netnsJmx = keep(JmxRemoteServer.start(mbeans, "127.0.0.1", options.netnsJmxPort(), credentials, buffer,
                    inNamespace(netns), " in " + netns.describe(), logins));
            netnsJmx.follow(subscribers);
        }
        jolokia = keep(JolokiaAgent.start(jolokiaProperties, credentials, logins));
        log.info("agent ready: managing namespace {}; JMX {}; Jolokia {}; state in {}",
                options.netns() == null ? "(own)" : options.netns(), jmx.url(), jolokia.url(), options.stateDir());
    }

    // One lock file per namespace, named after the namespace's nsfs inode: names and paths can differ (a second
    // bind mount, the agent's own namespace reached by name), the inode cannot.
    private static Path namespaceLock(String netns) throws IOException {
        Path namespace = netns == null ? Path.of("/proc/self/ns/net") : Path.of("/run/netns", netns);
        Map<String, Object> id = Files.readAttributes(namespace, "unix:dev,ino");
        Path dir = StateDirectory.ensurePrivate(LOCK_DIR);
        return dir.resolve("netns-" + id.get("dev") + "-" + id.get("ino") + ".lock");
    }

    private static SocketPlace inNamespace(LinuxNetns netns) {
        return factory -> {
            try {
                return netns.call(factory::open);
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        };
    }

    private <T extends AutoCloseable> T keep(T resource) {
        resources.push(resource);
        return resource;
    }

    public AddressChangeService service() {
        return service;
    }

    public JmxRemoteServer jmx() {
        return jmx;
    }

    /** The JMX connector inside the managed namespace, or null when it was not asked for. */
    public JmxRemoteServer netnsJmx() {
        return netnsJmx;
    }

    public JolokiaAgent jolokia() {
        return jolokia;
    }

    public Credentials credentials() {
        return credentials;
    }

    public AgentOptions options() {
        return options;
    }

    /** What an operator needs to connect, without the password. */
    public String describe() {
        return "Renumber agent running\n"
                + "  managed namespace: " + (options.netns() == null ? "(the agent's own)" : options.netns()) + "\n"
                + "  JMX:     " + jmx.url() + "\n"
                + (netnsJmx == null ? "" : "  JMX for applications inside " + options.netns() + ": " + netnsJmx.url()
                        + "\n")
                + "  Jolokia: " + jolokia.url() + "\n"
                + "  user:    " + credentials.user() + " (password: see " + credentialsSource + ")\n"
                + "  state:   " + options.stateDir();
    }

    /** Stops in reverse order of start; unfinished changes stay journaled and resume at the next start. */
    @Override
    public synchronized void close() {
        while (!resources.isEmpty()) {
            AutoCloseable resource = resources.pop();
            try {
                resource.close();
            } catch (Exception e) {
                log.warn("error while stopping {}: {}", resource.getClass().getSimpleName(), e.getMessage());
            }
        }
    }
}
