package org.renumber.client;

import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The flow every server reaction follows, whatever its kind of listener {@code L} (a Jetty connector, a JDK server):
 * make before break. On {@code warning} the replacement of each listener bound to the old address opens early when the
 * kernel allows binding an address that does not exist yet ({@code ip_nonlocal_bind}); on {@code started} the
 * replacement opens (or the early one is taken) and only then does the old listener hand over and drain; on
 * {@code cancelled} or {@code failed} early listeners close and the same steps run back; on {@code completed} or
 * {@code timedOut} the old address is gone and whatever still drains stops. A subclass says how its listeners open,
 * hand over, drain and stop; a listener on the wildcard address is never bound to an address, so it is left alone.
 *
 * @param <L> the kind of listener
 */
public abstract class MakeBeforeBreak<L> implements AddressChangeHandler {

    private static final System.Logger log = System.getLogger(MakeBeforeBreak.class.getName());

    /** Listeners opened on a change's new address during its warning, by the listener they replace. */
    private final Map<L, L> preOpened = new ConcurrentHashMap<>();

    /** The listeners accepting on exactly {@code address} now, but those draining or opened early. */
    protected abstract List<L> boundTo(InetAddress address);

    /** The port {@code listener} accepts on; its replacement takes the same. */
    protected abstract int port(L listener);

    /** The address {@code listener} accepts on; null when it is not open or accepts on the wildcard address. */
    protected abstract InetAddress addressOf(L listener);

    /**
     * Opens the replacement of {@code old} on {@code address}; {@code old} keeps serving.
     *
     * @throws IllegalStateException saying what could not be opened, when it cannot
     */
    protected abstract L open(L old, InetSocketAddress address);

    /** {@code fresh} serves in place of {@code old}, which stops accepting and drains until {@code deadline} (or null). */
    protected abstract void handOver(L old, L fresh, Instant deadline);

    /** Closes a listener opened early that is no longer wanted. */
    protected abstract void discard(L early);

    /** Stops every old listener still draining: the old address is gone. */
    protected abstract void stopDraining();

    /** Whether {@code listener} was opened early for a change and has not taken over yet. */
    protected final boolean openedEarly(L listener) {
        return preOpened.containsValue(listener);
    }

    /** Opens the replacements already, when the kernel lets them bind the new address before it exists. */
    @Override
    public CompletionStage<Void> warning(AddressChangeEvent event) {
        InetAddress to = event.newInetAddress();
        for (L old : boundTo(event.oldInetAddress())) {
            InetSocketAddress address = new InetSocketAddress(to, port(old));
            try {
                preOpened.put(old, open(old, address));
                log.log(Level.INFO, "listener open early on {0}, before the address exists", address);
            } catch (RuntimeException e) {
                log.log(Level.INFO, "cannot listen on {0} before the address exists ({1}); it opens when the change "
                        + "starts", address, e.getMessage());
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void started(AddressChangeEvent event) {
        move(event.oldInetAddress(), event.newInetAddress(), event.deadline());
    }

    @Override
    public void cancelled(AddressChangeEvent event) {
        discardPreOpened();
        move(event.newInetAddress(), event.oldInetAddress(), null);
    }

    @Override
    public void failed(AddressChangeEvent event) {
        discardPreOpened();
        move(event.newInetAddress(), event.oldInetAddress(), null);
    }

    @Override
    public void completed(AddressChangeEvent event) {
        stopDraining();
    }

    @Override
    public void timedOut(AddressChangeEvent event) {
        stopDraining();
    }

    /** Closes the listeners opened early, for a change that will not start or is being undone. */
    protected final void discardPreOpened() {
        for (L early : List.copyOf(preOpened.values())) {
            preOpened.values().remove(early);
            discard(early);
        }
    }

    /** Moves every listener bound to {@code from}; one that cannot move does not keep the others from moving. */
    private void move(InetAddress from, InetAddress to, Instant deadline) {
        RuntimeException first = null;
        for (L old : boundTo(from)) {
            try {
                replace(old, new InetSocketAddress(to, port(old)), deadline);
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private void replace(L old, InetSocketAddress address, Instant deadline) {
        L early = preOpened.remove(old);
        L fresh = early;
        if (early == null || !address.getAddress().equals(addressOf(early))) {
            if (early != null) {
                discard(early); // opened for another address than the change now moves to
            }
            fresh = open(old, address);
        }
        handOver(old, fresh, deadline);
    }
}
