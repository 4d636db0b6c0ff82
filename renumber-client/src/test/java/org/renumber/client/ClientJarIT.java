package org.renumber.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/** The artifact an application puts on its class path: small, and nothing in it but the client library. */
class ClientJarIT {

    private static final long MAX_BYTES = 200 * 1024;

    @Test
    void theClientJarIsUnder200KbAndHoldsOnlyTheClientPackage() throws Exception {
        Path jar = Path.of(System.getProperty("renumber.client.jar"));
        assertThat(jar).isRegularFile();
        assertThat(Files.size(jar)).as("size of " + jar + " in bytes").isLessThan(MAX_BYTES);
        try (JarFile file = new JarFile(jar.toFile())) {
            assertThat(file.stream().map(JarEntry::getName).filter(n -> n.endsWith(".class")))
                    .isNotEmpty().allMatch(n -> n.startsWith("org/renumber/client/"));
        }
    }
}
