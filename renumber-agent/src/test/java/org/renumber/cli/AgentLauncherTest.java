package org.renumber.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher ({@code packaging/renumber-agent}) and the unit that runs it: one set of JVM options, and the class
 * archive written by the first run, read by the next, and replaced when the jar changes. A stand-in {@code java}
 * records the command line instead of starting a JVM.
 */
class AgentLauncherTest {

    // Tests run in the project's root directory (the pom says so), like the agent tests that need target/renumber.jar.
    private static final Path LAUNCHER = Path.of("packaging", "renumber-agent").toAbsolutePath();
    private static final Path UNIT = Path.of("renumber-deb", "src", "deb", "files", "renumber.service");
    private static final Path DEB_POM = Path.of("renumber-deb", "pom.xml");

    @TempDir
    Path dir;

    @Test
    void theFirstRunWritesTheArchiveAtExitTheNextReadsItAndANewJarReplacesIt() throws Exception {
        Path jar = Files.writeString(dir.resolve("renumber.jar"), "jar one");
        Path cache = Files.createDirectory(dir.resolve("cache"));

        String first = launch(jar, cache, "--state-dir", "/tmp/x");
        assertThat(first).contains("-Xmx128m", "-XX:+UseSerialGC", "-jar " + jar + " agent --state-dir /tmp/x")
                .containsPattern("-XX:ArchiveClassesAtExit=" + cache + "/renumber-agent-[0-9-]+\\.jsa ")
                .doesNotContain("SharedArchiveFile");
        Path archive = Path.of(first.replaceAll("(?s).*-XX:ArchiveClassesAtExit=(\\S+).*", "$1").strip());
        Files.writeString(archive, "archive"); // what the JVM writes when it ends

        assertThat(launch(jar, cache)).contains("-XX:SharedArchiveFile=" + archive + " ")
                .doesNotContain("ArchiveClassesAtExit");

        Files.writeString(jar, "jar two, longer"); // an upgrade: the archive no longer fits
        String upgraded = launch(jar, cache);
        assertThat(upgraded).contains("-XX:ArchiveClassesAtExit=").doesNotContain("SharedArchiveFile");
        assertThat(archive).doesNotExist();
    }

    @Test
    void noArchiveWhenSwitchedOffOrTheCacheIsMissing() throws Exception {
        Path jar = Files.writeString(dir.resolve("renumber.jar"), "jar");
        assertThat(launch(jar, dir.resolve("absent"))).doesNotContain("Archive");
        assertThat(run(Map.of("RENUMBER_JAR", jar.toString(), "RENUMBER_CDS_DIR", dir.toString(),
                "RENUMBER_CDS", "off"))).doesNotContain("Archive");
    }

    @Test
    void theUnitRunsTheLauncherTheDebianPackageInstallsAndNamesNoJvmOptionOfItsOwn() throws IOException {
        String unit = Files.readString(UNIT);
        List<String> execStart = unit.lines().filter(l -> l.startsWith("ExecStart=")).toList();
        assertThat(execStart).singleElement().asString()
                .startsWith("ExecStart=/usr/share/renumber/renumber-agent --state-dir /var/lib/renumber ")
                .doesNotContain(" -X");
        assertThat(unit).contains("CacheDirectory=renumber");
        assertThat(Files.readString(DEB_POM)).contains("<src>${renumber.root}/packaging/renumber-agent</src>");
    }

    private String launch(Path jar, Path cache, String... args) throws Exception {
        return run(Map.of("RENUMBER_JAR", jar.toString(), "RENUMBER_CDS_DIR", cache.toString()), args);
    }

    private String run(Map<String, String> environment, String... args) throws Exception {
        Path fakeJava = dir.resolve("java");
        Path recorded = dir.resolve("command");
        Files.writeString(fakeJava, "#!/bin/sh\necho \"$@\" > '" + recorded + "'\n");
        Files.setPosixFilePermissions(fakeJava, PosixFilePermissions.fromString("rwx------"));
        Files.deleteIfExists(recorded);
        List<String> command = new ArrayList<>(List.of("sh", LAUNCHER.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("RENUMBER_JAVA_OPTS");
        builder.environment().remove("CACHE_DIRECTORY");
        builder.environment().putAll(environment);
        builder.environment().put("JAVA", fakeJava.toString());
        Process process = builder.redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return Files.readString(recorded).strip() + " ";
    }
}
