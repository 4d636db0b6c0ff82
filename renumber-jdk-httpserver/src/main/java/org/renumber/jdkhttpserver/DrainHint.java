package org.renumber.jdkhttpserver;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The filter the rebinder puts first on every context of one server: it counts the exchanges in its handlers, and
 * once the server drains, every response it sends carries {@code Connection: close}, also the response to a
 * request that was already in a handler when the drain began (the header is added when the handler sends its
 * headers). The JDK server closes a connection after such a response, and the client opens its next one, which
 * follows the name to the new address.
 */
final class DrainHint extends Filter {

    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean draining;

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        inFlight.incrementAndGet();
        try {
            if (exchange.getHttpContext().getAuthenticator() == null) {
                chain.doFilter(new DrainingExchange(exchange, this));
            } else {
                // The JDK's authentication filter needs its own exchange object, not a wrapper: here the hint
                // reaches only the requests that begin after the drain did.
                closeIfDraining(exchange);
                chain.doFilter(exchange);
            }
        } finally {
            inFlight.decrementAndGet();
        }
    }

    @Override
    public String description() {
        return "Renumber: Connection: close on every response once this server's address is being replaced";
    }

    void startDraining() {
        draining = true;
    }

    boolean isDraining() {
        return draining;
    }

    /** Exchanges in this server's handlers now. */
    int inFlight() {
        return inFlight.get();
    }

    void closeIfDraining(HttpExchange exchange) {
        if (draining) {
            exchange.getResponseHeaders().set("Connection", "close");
        }
    }
}
