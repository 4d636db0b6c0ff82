/**
 * The operator's console: a single page served by the agent at {@code /console/} on the Jolokia endpoint, behind
 * the same login, that talks to the agent only through Jolokia (see docs/console.md). This package serves its
 * assets and refuses requests a browser made on behalf of another origin.
 */
package org.renumber.console;
