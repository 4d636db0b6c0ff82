/**
 * The JMX face of the agent: the {@code renumber} MBeans (exported with jmxutils), the notifications jmxutils
 * cannot send itself, and the password-protected RMI connector on loopback. {@link org.renumber.jmx.JmxAdapter}
 * is the one entry point that publishes everything for a running {@code AddressChangeService}.
 */
package org.renumber.jmx;
