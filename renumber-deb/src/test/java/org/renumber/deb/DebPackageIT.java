package org.renumber.deb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The Debian package as a node gets it: its contents, then installed with apt-get exactly as the README says, the
 * command run from PATH, the unit checked by systemd-analyze, and purged again (even when a check fails). Needs root,
 * dpkg and apt-get.
 */
@Tag("kernel")
class DebPackageIT {

    private static final Path DEB = Path.of("target", "renumber.deb");

    private record Run(int exitCode, String output) {
    }

    private static Run run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(List.of(command) + " did not end within 120 s");
        }
        return new Run(process.exitValue(), output);
    }

    @Test
    void thePackageHoldsTheJarTheCommandTheUnitTheConfigurationAndTheHooksDirectory() throws Exception {
        Run contents = run("dpkg-deb", "-c", DEB.toString());
        Run fields = run("dpkg-deb", "-f", DEB.toString());
        Run conffiles = run("dpkg-deb", "--info", DEB.toString(), "conffiles");

        assertEquals(0, contents.exitCode(), contents.output());
        assertThat(contents.output()).containsPattern("-rw-r--r-- root/root .* \\./usr/share/renumber/renumber\\.jar")
                .containsPattern("-rwxr-xr-x root/root .* \\./usr/bin/renumber\n")
                .containsPattern("-rw-r--r-- root/root .* \\./lib/systemd/system/renumber\\.service")
                .containsPattern("-rw------- root/root .* \\./etc/renumber/jolokia\\.properties")
                .containsPattern("drwxr-xr-x root/root .* \\./etc/renumber/hooks\\.d/");
        assertThat(fields.output()).contains("Package: renumber", "Architecture: all", "Depends: java17-runtime");
        assertThat(conffiles.output().strip()).isEqualTo("/etc/renumber/jolokia.properties");
    }

    /**
     * The README's install line, run as it is written, from the project root: apt-get resolves the dependencies that
     * dpkg -i would only check. It must find them already installed (CI installs a JDK): a package apt pulled in
     * here would stay on the machine after the purge.
     */
    @Test
    void itInstallsAsTheReadmeSaysRunsFromPathHasAValidUnitAndPurgesClean() throws Exception {
        assertThat(run("dpkg", "-s", "renumber").exitCode()).as("renumber is already installed on this machine; "
                + "dpkg --purge renumber, then run again").isNotZero();
        Run simulated = run("apt-get", "install", "-s", "-y", "./" + DEB);
        assertEquals(0, simulated.exitCode(), simulated.output());
        assertThat(simulated.output().lines().filter(line -> line.startsWith("Inst ")).toList())
                .as("apt-get would install more than renumber:%n%s", simulated.output())
                .singleElement().asString().startsWith("Inst renumber ");
        try {
            Run install = run("env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "./" + DEB);
            assertEquals(0, install.exitCode(), install.output());
            assertThat(run("dpkg-query", "-W", "-f", "${Status}", "renumber").output())
                    .isEqualTo("install ok installed");

            Run help = run("sh", "-c", "cd / && renumber --help");
            assertEquals(0, help.exitCode(), help.output());
            assertThat(help.output()).contains("Usage: renumber", "agent", "plan", "change", "status", "watch",
                    "cancel", "subscribers", "history");
            Run planHelp = run("renumber", "plan", "--help");
            assertThat(planHelp.output()).contains("Usage: renumber plan");

            Run verify = run("systemd-analyze", "verify", "/lib/systemd/system/renumber.service");
            assertEquals(0, verify.exitCode(), verify.output());
            assertThat(verify.output()).doesNotContain("renumber.service:");

            assertThat(Files.readString(Path.of("/etc/renumber/jolokia.properties"))).contains("host=127.0.0.1");
            assertThat(Files.isDirectory(Path.of("/etc/renumber/hooks.d"))).isTrue();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of("/usr/bin/renumber"))))
                    .isEqualTo("rwxr-xr-x");
        } finally {
            Run purge = run("dpkg", "--purge", "renumber");
            assertEquals(0, purge.exitCode(), purge.output());
        }
        assertThat(Path.of("/usr/bin/renumber")).doesNotExist();
        assertThat(Path.of("/usr/share/renumber/renumber.jar")).doesNotExist();
        assertThat(Path.of("/etc/renumber")).doesNotExist();
        assertThat(run("dpkg", "-s", "renumber").exitCode()).isNotZero();
    }
}
