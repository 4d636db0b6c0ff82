/**
 * The Jolokia HTTP/JSON bridge, run in-process from {@code jolokia.properties}: every path it serves demands the
 * agent's credentials, an access policy confines clients to the {@code renumber} MBeans plus read-only
 * {@code java.lang}, and discovery and the JSR-160 proxy are off.
 */
package org.renumber.jolokia;
