package org.renumber.domain;

/**
 * The inbound guard cannot work in this environment (its tool is missing, or the kernel lacks the feature).
 * The message says what to install or change. A {@link NetworkException} so the workflow's failure handling
 * treats it like any other failed step.
 */
public final class GuardUnavailableException extends NetworkException {

    public GuardUnavailableException(String message) {
        super(message, 0);
    }

    public GuardUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
