package org.renumber.jolokia;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.renumber.security.Credentials;
import org.renumber.security.LoginBackoff;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP Basic authentication (RFC 7617) for the agent's {@link Credentials}, in place of the JDK's
 * {@code BasicAuthenticator}: that one lets a malformed header (bad Base64, no ':') escape as an exception, so
 * the connection dropped with nothing logged. Here every refusal is a 401 with the challenge and a log line
 * naming the client, and failed logins count towards the client's {@link LoginBackoff}: while it must wait,
 * requests get 429 with {@code Retry-After} and their credentials are not looked at.
 */
final class BasicLogin extends Authenticator {

    private static final Logger log = LoggerFactory.getLogger(BasicLogin.class);

    private final String realm;
    private final Credentials credentials;
    private final LoginBackoff backoff;

    BasicLogin(String realm, Credentials credentials, LoginBackoff backoff) {
        this.realm = requireNonNull(realm, "realm");
        this.credentials = requireNonNull(credentials, "credentials");
        this.backoff = requireNonNull(backoff, "backoff");
    }

    @Override
    public Result authenticate(HttpExchange exchange) {
        String client = exchange.getRemoteAddress().getAddress().getHostAddress();
        Duration wait = backoff.waitFor(client);
        if (!wait.isZero()) {
            long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
            exchange.getResponseHeaders().set("Retry-After", Long.toString(seconds));
            log.debug("Jolokia request from {} refused unchecked: too many failed logins, {} s left", client, seconds);
            return new Failure(429);
        }
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null) {
            return challenge(exchange);
        }
        String[] pair = decode(header);
        if (pair == null) {
            refused(client, "malformed Authorization header (expected 'Basic ' and Base64 of user:password)");
            return challenge(exchange);
        }
        if (!credentials.matches(pair[0], pair[1])) {
            refused(client, "wrong user name or password (user '" + printable(pair[0]) + "')");
            return challenge(exchange);
        }
        backoff.succeeded(client);
        return new Success(new HttpPrincipal(pair[0], realm));
    }

    private void refused(String client, String why) {
        Duration wait = backoff.failed(client);
        if (wait.isZero()) {
            log.warn("Jolokia request from {} refused: {}", client, why);
        } else {
            log.warn("Jolokia request from {} refused: {}; its next login is checked in {} s", client, why,
                    wait.toSeconds());
        }
    }

    private Retry challenge(HttpExchange exchange) {
        exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"" + realm + "\", charset=\"UTF-8\"");
        return new Retry(401);
    }

    /** The user and password of a Basic header, or null when the header is not well-formed. */
    static String[] decode(String header) {
        String trimmed = header.strip();
        int space = trimmed.indexOf(' ');
        if (space < 0 || !trimmed.substring(0, space).equalsIgnoreCase("Basic")) {
            return null;
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(trimmed.substring(space + 1).strip());
        } catch (IllegalArgumentException e) {
            return null;
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
        int colon = text.indexOf(':');
        return colon < 0 ? null : new String[] {text.substring(0, colon), text.substring(colon + 1)};
    }

    private static String printable(String user) {
        String text = user.replaceAll("\\p{Cntrl}", "?");
        return text.length() > 64 ? text.substring(0, 64) + "..." : text;
    }
}
