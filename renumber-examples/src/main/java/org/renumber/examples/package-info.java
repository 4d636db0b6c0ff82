/**
 * The example HTTP service (target/renumber-example-http.jar): Jetty, the client library and renumber-jetty, the
 * way a Java service keeps answering while its node's address changes. The benchmark and {@code renumber demo}
 * run it.
 */
package org.renumber.examples;
