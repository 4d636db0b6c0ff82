package org.renumber.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * The user name and password that JMX and Jolokia clients must present. {@link #toString()} never shows the
 * password, so a credentials object can be logged.
 */
public record Credentials(String user, String password) {

    public Credentials {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        if (user.isBlank()) {
            throw new IllegalArgumentException("the user name must not be empty");
        }
        // Basic authentication separates user and password with the first ':'.
        if (user.indexOf(':') >= 0) {
            throw new IllegalArgumentException("the user name '" + user + "' must not contain ':'");
        }
        if (password.isEmpty()) {
            throw new IllegalArgumentException("the password for user '" + user + "' must not be empty");
        }
    }

    /** Whether {@code candidateUser}/{@code candidatePassword} are these credentials, in constant time. */
    public boolean matches(String candidateUser, String candidatePassword) {
        if (candidateUser == null || candidatePassword == null) {
            return false;
        }
        // Compare both parts always, so the time taken does not tell which one was wrong.
        boolean userMatches = MessageDigest.isEqual(bytes(user), bytes(candidateUser));
        boolean passwordMatches = MessageDigest.isEqual(bytes(password), bytes(candidatePassword));
        return userMatches & passwordMatches;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "Credentials[user=" + user + ", password=****]";
    }
}
