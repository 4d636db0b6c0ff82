package org.renumber.security;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.renumber.journal.AtomicFiles;
import org.renumber.journal.StateDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the agent's credentials. The agent changes addresses as root, so no local user may drive it
 * anonymously: when the Jolokia properties name no user and password, a random password is generated on
 * first start, kept in {@value #FILE_NAME} in the state directory (mode 0600) and reused on later starts.
 * The log says where the password is, never what it is.
 */
public final class CredentialsStore {

    /** File in the state directory holding the generated credentials (properties: user, password). */
    public static final String FILE_NAME = "credentials";
    /** User name of generated credentials. */
    public static final String DEFAULT_USER = "renumber";
    /** Keys in the Jolokia properties, as Jolokia itself names them. */
    public static final String USER_KEY = "user";
    public static final String PASSWORD_KEY = "password";

    private static final int PASSWORD_BYTES = 24;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Logger log = LoggerFactory.getLogger(CredentialsStore.class);

    private CredentialsStore() {
    }

    /**
     * The credentials configured in {@code jolokiaProperties} ({@value #USER_KEY}, {@value #PASSWORD_KEY}),
     * or else those stored in {@code stateDirectory}, generating them on first use.
     */
    public static Credentials load(Map<String, String> jolokiaProperties, Path stateDirectory) throws IOException {
        String user = jolokiaProperties.get(USER_KEY);
        String password = jolokiaProperties.get(PASSWORD_KEY);
        if (user != null || password != null) {
            if (user == null || password == null) {
                String given = user == null ? PASSWORD_KEY : USER_KEY;
                String missing = user == null ? USER_KEY : PASSWORD_KEY;
                throw new IllegalArgumentException("the Jolokia properties set '" + given + "' but not '" + missing
                        + "': set both, or neither to have a password generated in the state directory");
            }
            Credentials configured = new Credentials(user.strip(), password);
            log.info("JMX and Jolokia require user '{}' with the password set in the Jolokia properties",
                    configured.user());
            return configured;
        }
        Path file = stateDirectory.resolve(FILE_NAME);
        if (Files.exists(file)) {
            Credentials stored = read(file);
            log.info("JMX and Jolokia require user '{}' with the password stored in {}", stored.user(), file);
            return stored;
        }
        Credentials generated = new Credentials(DEFAULT_USER, randomPassword());
        StateDirectory.ensure(stateDirectory);
        write(file, generated);
        log.info("generated a password for user '{}' and stored it in {} (mode 0600); JMX and Jolokia require it",
                generated.user(), file);
        return generated;
    }

    private static Credentials read(Path file) throws IOException {
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
        if (!OWNER_ONLY.containsAll(permissions)) {
            log.warn("{} was readable by others ({}); restricting it to its owner", file,
                    PosixFilePermissions.toString(permissions));
            Files.setPosixFilePermissions(file, OWNER_ONLY);
        }
        Properties properties = new Properties();
        properties.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
        String user = properties.getProperty(USER_KEY);
        String password = properties.getProperty(PASSWORD_KEY);
        if (user == null || password == null) {
            throw new IOException(file + " must contain '" + USER_KEY + "' and '" + PASSWORD_KEY
                    + "'; delete it to have new credentials generated");
        }
        return new Credentials(user.strip(), password);
    }

    private static void write(Path file, Credentials credentials) throws IOException {
        // The password is URL-safe Base64, so it needs no escaping in a properties file.
        String content = "# Credentials for the renumber agent's JMX connector and Jolokia endpoint.\n"
                + USER_KEY + "=" + credentials.user() + "\n"
                + PASSWORD_KEY + "=" + credentials.password() + "\n";
        AtomicFiles.write(file, content.getBytes(StandardCharsets.UTF_8));
    }

    private static String randomPassword() {
        byte[] bytes = new byte[PASSWORD_BYTES];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
