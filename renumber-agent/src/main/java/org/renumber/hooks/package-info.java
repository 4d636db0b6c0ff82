/**
 * Dispatcher hooks: the executables of a directory ({@code /etc/renumber/hooks.d}) run on each change event, the
 * way NetworkManager's dispatcher and keepalived's notify scripts run theirs, so DNS, load balancers and monitoring
 * follow a change.
 */
package org.renumber.hooks;
