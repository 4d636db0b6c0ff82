/**
 * Who may drive the agent. One user name and password protect both the JMX connector and Jolokia: taken from
 * the Jolokia properties when set there, otherwise generated once and kept owner-readable in the state directory.
 */
package org.renumber.security;
