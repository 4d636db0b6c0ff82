package org.renumber.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.renumber.api.MBeanNames;

/** An application with nothing but the client jar and the api jar must be able to use the client. */
class ClientDependenciesTest {

    private static final Pattern CLASS_REFERENCE = Pattern.compile("L?((?:[a-z][a-z0-9_]*/)+)[A-Z]");
    private static final String JDK = "(java|javax|jdk)/.*";

    @Test
    void theClientPackageReferencesNoClassOutsideItselfTheApiAndTheJdk() throws Exception {
        assertReferencesOnly(AddressChangeClient.class, JDK + "|org/renumber/(client|api)/");
    }

    @Test
    void theApiPackageReferencesNoClassOutsideItselfAndTheJdk() throws Exception {
        assertReferencesOnly(MBeanNames.class, JDK + "|org/renumber/api/");
    }

    @Test
    void theClientsRuntimeDependencyTreeIsTheApiAlone() throws Exception {
        // Written by maven-dependency-plugin:build-classpath (runtime scope, transitive) before the tests run.
        Path listing = Path.of(System.getProperty("renumber.client.runtimeClasspath",
                "renumber-client/target/runtime-classpath.txt"));
        List<String> entries = Arrays.stream(Files.readString(listing).strip().split(File.pathSeparator))
                .filter(e -> !e.isBlank()).toList();
        assertThat(entries).as("runtime class path of renumber-client").singleElement().satisfies(entry -> {
            Path path = Path.of(entry);
            assertThat(path.toString()).matches(".*/renumber-api/target/classes|.*/renumber-api-[^/]*\\.jar");
        });
    }

    private static void assertReferencesOnly(Class<?> member, String allowed) throws Exception {
        Path location = Path.of(member.getProtectionDomain().getCodeSource().getLocation().toURI());
        // In a reactor build the api is a directory of classes before `package`, its jar after.
        try (FileSystem jar = Files.isDirectory(location) ? null : FileSystems.newFileSystem(location);
             Stream<Path> files = Files.list((jar == null ? location : jar.getPath("/"))
                     .resolve(member.getPackageName().replace('.', '/')))) {
            List<Path> classFiles = files.filter(f -> f.toString().endsWith(".class")).toList();
            assertThat(classFiles).isNotEmpty();
            for (Path file : classFiles) {
                // Every class a class file uses is named in its constant pool as a/b/C.
                String constants = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                Matcher reference = CLASS_REFERENCE.matcher(constants);
                while (reference.find()) {
                    String pkg = reference.group(1);
                    assertThat(pkg).as(file.getFileName() + " references " + pkg).matches(allowed);
                }
            }
        }
    }
}
