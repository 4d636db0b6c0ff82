package org.renumber.journal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.renumber.domain.ServiceSettings;
import org.renumber.domain.SettingsRepository;

/**
 * The service settings in {@code <state-dir>/settings.json}, written like the journal (temporary file, fsync,
 * atomic rename, fsync of the directory), so a crash leaves the old or the new settings, never a mix.
 *
 * <pre>
 * {
 *   "guardNewConnections" : false,
 *   "forceCloseAtDeadline" : false
 * }
 * </pre>
 * A missing file means {@link ServiceSettings#DEFAULTS}; a missing key (a file from an older version) is
 * false, which is each setting's default; unknown keys are ignored. An unreadable file is an error naming the file, not a silent reset to
 * the defaults: an operator who switched the guard on must not find it off after a restart.
 */
public final class SettingsStore implements SettingsRepository {

    public static final String FILE_NAME = "settings.json";

    private final Path file;
    private final ObjectMapper mapper = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private ServiceSettings current;

    /** Reads the settings (or the defaults) from {@code stateDir}, creating the directory if needed. */
    public SettingsStore(Path stateDir) {
        requireNonNull(stateDir, "stateDir");
        try {
            StateDirectory.ensure(stateDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the state directory " + stateDir, e);
        }
        this.file = stateDir.resolve(FILE_NAME);
        this.current = read();
    }

    /** The settings as last saved (read once at construction, then kept in memory). */
    @Override
    public synchronized ServiceSettings current() {
        return current;
    }

    /** Saves {@code settings} durably; only then does {@link #current()} return them. */
    @Override
    public synchronized void save(ServiceSettings settings) {
        requireNonNull(settings, "settings");
        try {
            AtomicFiles.write(file, mapper.writeValueAsBytes(settings));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the settings file " + file, e);
        }
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
        return file;
    }

    private ServiceSettings read() {
        if (!Files.exists(file)) {
            return ServiceSettings.DEFAULTS;
        }
        try {
            return mapper.readValue(file.toFile(), ServiceSettings.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the settings file " + file + ": " + e.getMessage()
                    + "; fix it, or remove it to start with the defaults (guard and forced close off)", e);
        }
    }
}
