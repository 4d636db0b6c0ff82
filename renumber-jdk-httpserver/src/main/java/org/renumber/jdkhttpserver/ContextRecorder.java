package org.renumber.jdkhttpserver;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;

/**
 * The server the application's setup sees: the real one, but every context it creates gets the server's
 * {@link DrainHint} as its first filter (the JDK server cannot list its contexts afterwards), and binding,
 * starting and stopping belong to the rebinder.
 */
final class ContextRecorder extends HttpServer {

    private final HttpServer server;
    private final DrainHint hint;

    ContextRecorder(HttpServer server, DrainHint hint) {
        this.server = server;
        this.hint = hint;
    }

    @Override
    public HttpContext createContext(String path, HttpHandler handler) {
        return hinted(server.createContext(path, handler));
    }

    @Override
    public HttpContext createContext(String path) {
        return hinted(server.createContext(path));
    }

    private HttpContext hinted(HttpContext context) {
        context.getFilters().add(0, hint);
        return context;
    }

    @Override
    public void removeContext(String path) {
        server.removeContext(path);
    }

    @Override
    public void removeContext(HttpContext context) {
        server.removeContext(context);
    }

    @Override
    public void setExecutor(Executor executor) {
        server.setExecutor(executor);
    }

    @Override
    public Executor getExecutor() {
        return server.getExecutor();
    }

    @Override
    public InetSocketAddress getAddress() {
        return server.getAddress();
    }

    @Override
    public void bind(InetSocketAddress address, int backlog) {
        throw new UnsupportedOperationException("the rebinder binds the server: give the address to "
                + "JdkHttpServerRebinder.start");
    }

    @Override
    public void start() {
        throw new UnsupportedOperationException("the rebinder starts the server after the setup");
    }

    @Override
    public void stop(int delay) {
        throw new UnsupportedOperationException("stop the servers with JdkHttpServerRebinder.close()");
    }
}
