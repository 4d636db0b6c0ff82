/**
 * Legacy applications that cannot subscribe: an operator declares how to find their processes and how to restart
 * them, and {@link org.renumber.application.ApplicationMonitor} stops (SIGTERM, then SIGKILL after a grace period)
 * and restarts the ones that hold the old address when a change targeting them starts. The decisions live here;
 * finding processes, signalling and running commands are behind {@link org.renumber.application.ProcessControl},
 * declarations persist through {@link org.renumber.application.ApplicationStore}.
 */
package org.renumber.application;
