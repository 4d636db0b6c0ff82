package org.renumber.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** An application with nothing but the renumber jar (or this package) must be able to use the client. */
class ClientDependenciesTest {

    private static final Pattern CLASS_REFERENCE = Pattern.compile("L?((?:[a-z][a-z0-9_]*/)+)[A-Z]");

    @Test
    void theClientPackageReferencesNoClassOutsideItselfAndTheJdk() throws Exception {
        Path classes = packageDirectory();
        try (Stream<Path> files = Files.list(classes)) {
            List<Path> classFiles = files.filter(f -> f.toString().endsWith(".class")).toList();
            assertThat(classFiles).isNotEmpty();
            for (Path file : classFiles) {
                // Every class a class file uses is named in its constant pool as a/b/C.
                String constants = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                Matcher reference = CLASS_REFERENCE.matcher(constants);
                while (reference.find()) {
                    String pkg = reference.group(1);
                    assertThat(pkg).as(file.getFileName() + " references " + pkg)
                            .matches("(java|javax|jdk|sun)/.*|org/renumber/client/");
                }
            }
        }
    }

    private static Path packageDirectory() throws URISyntaxException {
        return Path.of(AddressChangeClient.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("org/renumber/client");
    }
}
