/**
 * The Renumber reaction for an embedded Eclipse Jetty 12 server: {@link org.renumber.jetty.JettyRebinder} opens
 * connectors on the new address before it drains the old ones with Jetty's graceful shutdown. An optional module:
 * the application brings Jetty.
 */
package org.renumber.jetty;
