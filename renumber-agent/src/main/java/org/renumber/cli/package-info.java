/**
 * The command line ({@code renumber agent}) and the one assembly class, {@link org.renumber.cli.Agent}, that
 * wires the domain service to the Linux kernel, the journal, the MBeans, the JMX connector and Jolokia.
 */
package org.renumber.cli;
