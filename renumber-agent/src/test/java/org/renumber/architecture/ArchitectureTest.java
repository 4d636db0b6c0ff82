package org.renumber.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.renumber.domain.Change;

/**
 * The layering docs/architecture.md describes, read from the compiled classes (a class file names every class it
 * uses in its constant pool as {@code a/b/C}): the domain at the bottom knows only the JDK, and no package depends
 * on itself through others.
 */
class ArchitectureTest {

    private static final Pattern CLASS_REFERENCE = Pattern.compile("L?((?:[a-z][a-z0-9_]*/)+)[A-Z]");
    private static final String ROOT = "org/renumber/";

    @Test
    void theDomainAndItsPortsReferenceNothingButTheJdkAndTheDomain() throws Exception {
        Map<String, Set<String>> uses = packageReferences();
        assertThat(uses).containsKeys("org/renumber/domain/", "org/renumber/domain/port/");
        uses.forEach((pkg, referenced) -> {
            if (pkg.startsWith("org/renumber/domain/")) {
                assertThat(referenced).as(pkg + " references").allMatch(r -> r.startsWith("java/")
                        || r.startsWith("org/renumber/domain/"));
            }
        });
    }

    @Test
    void theMonitorsTalkToTheServiceThroughItsPortOnly() throws Exception {
        Map<String, Set<String>> uses = packageReferences();
        for (String pkg : List.of("org/renumber/monitor/", "org/renumber/application/")) {
            assertThat(uses.get(pkg)).as(pkg + " references").isNotNull()
                    .doesNotContain("org/renumber/service/", "org/renumber/jmx/", "org/renumber/linux/");
        }
    }

    /**
     * The Linux adapter's rooms (docs/architecture.md, "Packages of the agent"): libc, errno and namespaces at the
     * bottom in {@code linux}, netlink framing above them, rtnetlink and sock_diag side by side on top of netlink,
     * neither knowing the other.
     */
    @Test
    void theLinuxRoomsStackNetlinkUnderRtnetlinkAndSockDiag() throws Exception {
        Map<String, Set<String>> uses = packageReferences();
        String linux = ROOT + "linux/";
        String netlink = linux + "netlink/";
        String rtnl = linux + "rtnl/";
        String sockdiag = linux + "sockdiag/";
        assertThat(uses).containsKeys(linux, netlink, rtnl, sockdiag);
        assertThat(uses.get(linux)).as("linux references").doesNotContain(netlink, rtnl, sockdiag);
        assertThat(uses.get(netlink)).as("linux.netlink references").doesNotContain(rtnl, sockdiag);
        assertThat(uses.get(rtnl)).as("linux.rtnl references").contains(netlink).doesNotContain(sockdiag);
        assertThat(uses.get(sockdiag)).as("linux.sockdiag references").contains(netlink).doesNotContain(rtnl);
    }

    @Test
    void noPackageDependsOnItselfThroughOtherPackages() throws Exception {
        Map<String, Set<String>> uses = packageReferences();
        List<String> cycles = new ArrayList<>();
        for (String start : uses.keySet()) {
            findCycle(start, start, uses, new ArrayList<>(List.of(start)), new TreeSet<>(), cycles);
        }
        assertThat(cycles).as("package import cycles").isEmpty();
    }

    private static void findCycle(String start, String at, Map<String, Set<String>> uses, List<String> path,
                                  Set<String> seen, List<String> cycles) {
        for (String next : uses.getOrDefault(at, Set.of())) {
            if (!next.startsWith(ROOT) || next.equals(at)) {
                continue;
            }
            if (next.equals(start)) {
                cycles.add(String.join(" -> ", path) + " -> " + start);
            } else if (seen.add(next) && next.compareTo(start) > 0) {
                // Each cycle is reported once, from its smallest package.
                path.add(next);
                findCycle(start, next, uses, path, seen, cycles);
                path.remove(path.size() - 1);
            }
        }
    }

    /** Package (a/b/) -> the packages its classes reference, from the agent's compiled main classes. */
    private static Map<String, Set<String>> packageReferences() throws IOException, URISyntaxException {
        Path classes = Path.of(Change.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(classes.resolve(ROOT))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String pkg = classes.relativize(file.getParent()).toString().replace('\\', '/') + "/";
                Set<String> referenced = uses.computeIfAbsent(pkg, k -> new TreeSet<>());
                String constants = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                Matcher reference = CLASS_REFERENCE.matcher(constants);
                while (reference.find()) {
                    if (!reference.group(1).equals(pkg)) {
                        referenced.add(reference.group(1));
                    }
                }
            }
        }
        return uses;
    }
}
