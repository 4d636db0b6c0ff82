package org.renumber.journal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.renumber.domain.ServiceSettings;
import org.renumber.domain.port.ServiceSettingsStore;

/**
 * The service settings in {@code <state-dir>/settings.json}, written like the journal (temporary file, fsync,
 * atomic rename, fsync of the directory), so a crash leaves the old or the new settings, never a mix.
 *
 * <pre>
 * {
 *   "guardNewConnections" : false,
 *   "forceCloseAtDeadline" : false,
 *   "hookTimeoutSeconds" : 30
 * }
 * </pre>
 * A missing file means {@link ServiceSettings#DEFAULTS}; a missing key (a file from an older version) is
 * false or 0, which reads as each setting's default; unknown keys are ignored. An unreadable file is an error naming the file, not a silent reset to
 * the defaults: an operator who switched the guard on must not find it off after a restart.
 */
public final class ServiceSettingsFile implements ServiceSettingsStore {

    public static final String FILE_NAME = "settings.json";

    private final JsonStateFile file;
    private ServiceSettings current;

    /** Reads the settings (or the defaults) from {@code stateDir}, creating the directory if needed. */
    public ServiceSettingsFile(Path stateDir) {
        this.file = new JsonStateFile(stateDir, FILE_NAME, "the service settings",
                "the defaults (guard and forced close off)", new ObjectMapper()
                        .enable(SerializationFeature.INDENT_OUTPUT)
                        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES));
        this.current = file.read(new TypeReference<ServiceSettings>() { }).orElse(ServiceSettings.DEFAULTS);
    }

    /** The settings as last saved (read once at construction, then kept in memory). */
    @Override
    public synchronized ServiceSettings current() {
        return current;
    }

    /** Saves {@code settings} durably; only then does {@link #current()} return them. */
    @Override
    public synchronized void save(ServiceSettings settings) {
        file.write(requireNonNull(settings, "settings"));
        current = settings;
    }

    /** Saves {@code change} applied to the current settings, atomically with respect to other updates. */
    public synchronized ServiceSettings update(UnaryOperator<ServiceSettings> change) {
        ServiceSettings next = requireNonNull(change.apply(current), "updated settings");
        if (!next.equals(current)) {
            save(next);
        }
        return next;
    }

    public Path file() {
        return file.path();
    }
}
