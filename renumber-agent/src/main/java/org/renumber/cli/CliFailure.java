package org.renumber.cli;

/**
 * Ends a {@code renumber} client command with one sentence for the operator and the exit status scripts test:
 * {@link #UNREACHABLE} (agent unreachable or credentials refused), {@link #REFUSED} (the agent refused the input;
 * nothing changed). Never shown with a stack trace.
 */
final class CliFailure extends RuntimeException {

    static final int UNREACHABLE = 1;
    static final int REFUSED = 2;

    private final int exitCode;

    CliFailure(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
