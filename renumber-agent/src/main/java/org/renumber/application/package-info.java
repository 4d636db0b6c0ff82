/**
 * Legacy applications that cannot subscribe: an operator declares how to find their processes and how to restart
 * them, and {@link org.renumber.application.ApplicationMonitor} stops (SIGTERM, then SIGKILL after a grace period)
 * and restarts the ones that hold the old address when a change targeting them starts. The decisions live here;
 * finding processes, signalling and running commands are behind the {@link org.renumber.domain.port.ProcessControl}
 * port, declarations persist through {@link org.renumber.domain.port.ApplicationStore}, and changes arrive through
 * {@link org.renumber.domain.port.ChangeListener}.
 */
package org.renumber.application;
