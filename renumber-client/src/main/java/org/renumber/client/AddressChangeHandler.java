package org.renumber.client;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * What a Java application does when the address it uses changes. Implement the methods you need; the others do
 * nothing. {@link AddressChangeClient} calls them one at a time, in the order the agent sent the events, on a
 * thread of its own (never on a JMX thread), so a method may block: the next event waits for it.
 *
 * <p>The usual sequence is {@link #started} (move now), then {@link #drained} and {@link #completed}, or
 * {@link #timedOut}; {@link #cancelled} and {@link #failed} mean the agent rolled the change back and the old
 * address stays. Each event type is delivered at most once per change by one client, even when the agent
 * repeats it after a restart. Ready-made reactions ({@link ListenerRebinder}, {@link ReconnectReaction},
 * {@link RestartReaction}) are handlers too; combine them with {@link #all}.
 */
public interface AddressChangeHandler {

    /**
     * The change is announced ahead of time. Prepare, then complete the returned stage: the client then tells
     * the agent this application is ready ({@code ready(changeId)} on its Subscription MBean), and the change
     * may start before its warning time is up. Completing exceptionally, or never, leaves the change to start
     * when the warning time passes. The default is ready at once.
     */
    default CompletionStage<Void> warning(AddressChangeEvent event) {
        return CompletableFuture.completedFuture(null);
    }

    /** The new address is usable and new outbound connections already leave from it: move off the old one. */
    default void started(AddressChangeEvent event) {
    }

    /** No connection uses the old address any more; the agent is about to remove it. */
    default void drained(AddressChangeEvent event) {
    }

    /** The old address is gone; the change is over. */
    default void completed(AddressChangeEvent event) {
    }

    /**
     * The drain timeout passed with {@link AddressChangeEvent#remainingConnections()} connections still on the
     * old address; the agent removed it anyway, so those connections are dead.
     */
    default void timedOut(AddressChangeEvent event) {
    }

    /** An operator cancelled the change: the new address is gone again, the old one stays. */
    default void cancelled(AddressChangeEvent event) {
    }

    /** A step failed and the agent rolled the change back: the new address is gone again, the old one stays. */
    default void failed(AddressChangeEvent event) {
    }

    /** The agent saw an operator renumber the interface by hand; {@link #started} follows. */
    default void interfaceChanged(AddressChangeEvent event) {
    }

    /** After a change done by hand: nothing uses the old address (now an alias) and it may be removed. */
    default void aliasRemovable(AddressChangeEvent event) {
    }

    /** A notification type this client version does not know. */
    default void other(AddressChangeEvent event) {
    }

    /**
     * Calls the method of this handler that matches the event's type. For a warning the returned stage is
     * dropped: {@link AddressChangeClient} calls {@link #warning} itself to acknowledge it.
     */
    default void dispatch(AddressChangeEvent event) {
        switch (event.type()) {
            case WARNING -> warning(event);
            case STARTED -> started(event);
            case DRAINED -> drained(event);
            case TIMEOUT -> timedOut(event);
            case COMPLETED -> completed(event);
            case FAILED -> failed(event);
            case CANCELLED -> cancelled(event);
            case INTERFACE_CHANGED -> interfaceChanged(event);
            case ALIAS_REMOVABLE -> aliasRemovable(event);
            case OTHER -> other(event);
        }
    }

    /**
     * One handler that calls {@code handlers} in order for every event. A handler that throws does not keep the
     * later ones from running; the first exception is rethrown afterwards with the others suppressed. The
     * combined warning is ready when every handler's warning is.
     */
    static AddressChangeHandler all(AddressChangeHandler... handlers) {
        List<AddressChangeHandler> list = List.of(handlers);
        list.forEach(h -> requireNonNull(h, "handler"));
        return new AddressChangeHandler() {
            @Override
            public CompletionStage<Void> warning(AddressChangeEvent event) {
                List<CompletableFuture<Void>> acks = new ArrayList<>();
                each(h -> acks.add(h.warning(event).toCompletableFuture()));
                return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new));
            }

            @Override
            public void started(AddressChangeEvent event) {
                each(h -> h.started(event));
            }

            @Override
            public void drained(AddressChangeEvent event) {
                each(h -> h.drained(event));
            }

            @Override
            public void completed(AddressChangeEvent event) {
                each(h -> h.completed(event));
            }

            @Override
            public void timedOut(AddressChangeEvent event) {
                each(h -> h.timedOut(event));
            }

            @Override
            public void cancelled(AddressChangeEvent event) {
                each(h -> h.cancelled(event));
            }

            @Override
            public void failed(AddressChangeEvent event) {
                each(h -> h.failed(event));
            }

            @Override
            public void interfaceChanged(AddressChangeEvent event) {
                each(h -> h.interfaceChanged(event));
            }

            @Override
            public void aliasRemovable(AddressChangeEvent event) {
                each(h -> h.aliasRemovable(event));
            }

            @Override
            public void other(AddressChangeEvent event) {
                each(h -> h.other(event));
            }

            private void each(Consumer<AddressChangeHandler> call) {
                RuntimeException first = null;
                for (AddressChangeHandler handler : list) {
                    try {
                        call.accept(handler);
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
        };
    }
}
