/**
 * Reactions for HTTP clients: {@link org.renumber.httpclients.OkHttpEviction},
 * {@link org.renumber.httpclients.ApacheHttpClientEviction} and {@link org.renumber.httpclients.JdkHttpClientSwap}
 * keep a client from reusing pooled connections on an address being replaced, so its next connection follows the
 * change. Each class needs only its own library (OkHttp and HttpClient 5 are optional dependencies).
 */
package org.renumber.httpclients;
