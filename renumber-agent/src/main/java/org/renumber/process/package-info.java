/**
 * The processes of the node through {@code /proc} and {@link java.lang.ProcessHandle}: command lines, the socket
 * descriptors a process holds, signals, and restart commands run inside the managed network namespace. The
 * {@link org.renumber.application.ProcessControl} adapter of the application monitor, and the
 * {@link org.renumber.domain.SocketOwners} adapter (which process holds which socket).
 */
package org.renumber.process;
