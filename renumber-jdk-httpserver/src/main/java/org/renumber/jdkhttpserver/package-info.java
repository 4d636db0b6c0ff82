/**
 * The Renumber reaction for the JDK's own HTTP server ({@code com.sun.net.httpserver}):
 * {@link org.renumber.jdkhttpserver.JdkHttpServerRebinder} opens a server on the new address before the old one
 * stops accepting, and answers what is still sent on the old address with {@code Connection: close}. Depends on the
 * client library and the JDK only.
 */
package org.renumber.jdkhttpserver;
