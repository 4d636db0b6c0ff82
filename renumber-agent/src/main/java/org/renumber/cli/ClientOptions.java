package org.renumber.cli;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.renumber.journal.StateDirectory;
import org.renumber.security.CredentialsStore;
import picocli.CommandLine.Option;

/**
 * Where the agent is and how to log in, for every client subcommand, given before the subcommand ({@code renumber
 * --url U plan ...}) or after it. An option wins over its environment variable ({@code RENUMBER_URL},
 * {@code RENUMBER_USER}, {@code RENUMBER_PASSWORD_FILE}); with neither, the credentials the agent generated in its
 * state directory are used.
 */
final class ClientOptions {

    static final String DEFAULT_URL = "http://127.0.0.1:8778/jolokia";

    @Option(names = "--url", paramLabel = "URL",
            description = "The agent's Jolokia URL (env RENUMBER_URL). Default: " + DEFAULT_URL + ".")
    String url;

    @Option(names = "--user", paramLabel = "NAME",
            description = "Login (env RENUMBER_USER). Default: the user in <state-dir>/credentials.")
    String user;

    @Option(names = "--password-file", paramLabel = "FILE",
            description = "File whose first line is the password (env RENUMBER_PASSWORD_FILE). Default: the "
                    + "password in <state-dir>/credentials.")
    Path passwordFile;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "The agent's state directory, for its generated credentials. Default: "
                    + "/var/lib/renumber.")
    Path stateDir;

    /** These options where given, else {@code outer}'s (the options given before the subcommand). */
    ClientOptions or(ClientOptions outer) {
        ClientOptions merged = new ClientOptions();
        merged.url = url != null ? url : outer.url;
        merged.user = user != null ? user : outer.user;
        merged.passwordFile = passwordFile != null ? passwordFile : outer.passwordFile;
        merged.stateDir = stateDir != null ? stateDir : outer.stateDir;
        return merged;
    }

    JolokiaConnection connect(Map<String, String> env) {
        String target = url != null ? url : env.getOrDefault("RENUMBER_URL", DEFAULT_URL);
        URI uri;
        try {
            uri = URI.create(target.strip());
        } catch (IllegalArgumentException e) {
            throw new CliFailure(CliFailure.REFUSED, "--url '" + target + "' is not a URL: give the agent's "
                    + "Jolokia URL, e.g. " + DEFAULT_URL);
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new CliFailure(CliFailure.REFUSED, "--url '" + target + "' is not an http:// or https:// URL: give "
                    + "the agent's Jolokia URL, e.g. " + DEFAULT_URL);
        }
        String login = user != null ? user : env.get("RENUMBER_USER");
        Path passwords = passwordFile != null ? passwordFile
                : env.containsKey("RENUMBER_PASSWORD_FILE") ? Path.of(env.get("RENUMBER_PASSWORD_FILE")) : null;
        if (passwords != null) {
            return new JolokiaConnection(uri, login != null ? login : CredentialsStore.DEFAULT_USER,
                    firstLine(passwords), passwords.toString());
        }
        Path generated = (stateDir != null ? stateDir : StateDirectory.DEFAULT).resolve(CredentialsStore.FILE_NAME);
        Properties credentials = new Properties();
        try (Reader reader = Files.newBufferedReader(generated)) {
            credentials.load(reader);
        } catch (IOException e) {
            throw new CliFailure(CliFailure.UNREACHABLE, "No credentials: cannot read " + generated + " ("
                    + reason(e) + "); run as root on the agent's node, or give --user and --password-file.");
        }
        return new JolokiaConnection(uri, login != null ? login : credentials.getProperty("user", ""),
                credentials.getProperty("password", ""), generated.toString());
    }

    private static String firstLine(Path file) {
        try {
            return Files.readAllLines(file).stream().findFirst().orElse("").strip();
        } catch (IOException e) {
            throw new CliFailure(CliFailure.UNREACHABLE, "Cannot read the password file " + file + " (" + reason(e)
                    + ").");
        }
    }

    private static String reason(IOException e) {
        return e instanceof java.nio.file.NoSuchFileException ? "no such file"
                : e instanceof java.nio.file.AccessDeniedException ? "permission denied" : String.valueOf(e.getMessage());
    }
}
