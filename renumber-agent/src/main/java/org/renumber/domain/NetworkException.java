package org.renumber.domain;

/** A kernel operation failed; the message names the operation and the kernel's reason. */
public class NetworkException extends RuntimeException {

    private final int errno;

    public NetworkException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    public NetworkException(String message, Throwable cause) {
        super(message, cause);
        this.errno = 0;
    }

    /** The kernel's errno (positive), or 0 when not from the kernel. */
    public int errno() {
        return errno;
    }
}
