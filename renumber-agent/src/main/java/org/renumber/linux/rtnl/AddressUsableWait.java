package org.renumber.linux.rtnl;

import static org.renumber.linux.netlink.NetlinkConstants.RTM_DELADDR;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.renumber.domain.AddressState;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.NetworkException;
import org.renumber.linux.Errno;
import org.renumber.linux.IpText;
import org.renumber.linux.netlink.EventFd;
import org.renumber.linux.netlink.NetlinkSocket;

/**
 * Reads address events of one subscribed socket on its own thread until the address is no longer tentative,
 * the deadline passes, or the future is completed from outside (cancelled): completing it signals the eventfd
 * the thread polls next to the socket. The thread closes the socket and the eventfd. For
 * {@link NetlinkNetworkControl#awaitUsable}.
 */
final class AddressUsableWait {
    private final CompletableFuture<AddressState> result = new CompletableFuture<>();
    private final NetlinkSocket events;
    private final EventFd wakeup;
    private final int index;
    private final InterfaceAddress address;
    private final long deadline;
    /** Looks at the address again (a dump) when events were lost. */
    private final Supplier<AddressState> lookAgain;

    AddressUsableWait(NetlinkSocket events, int index, InterfaceAddress address, Duration timeout,
                      Supplier<AddressState> lookAgain) {
        this.lookAgain = lookAgain;
        this.events = events;
        this.wakeup = new EventFd();
        this.index = index;
        this.address = address;
        this.deadline = System.nanoTime() + timeout.toNanos();
    }

    CompletableFuture<AddressState> start() {
        result.whenComplete((state, error) -> wakeup.signal());
        Thread thread = new Thread(this::run, "renumber-dad-" + IpText.of(address.address()));
        thread.setDaemon(true);
        thread.start();
        return result;
    }

    private void run() {
        try {
            AddressState state = AddressState.TENTATIVE;
            while (state == AddressState.TENTATIVE && !result.isDone()) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    break;
                }
                if (events.awaitReadable(wakeup, (int) Math.min(left, Integer.MAX_VALUE))) {
                    state = readEvents(state);
                }
            }
            result.complete(state);
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
        } finally {
            events.close();
            wakeup.close();
        }
    }

    private AddressState readEvents(AddressState state) {
        AddressState[] latest = {state};
        try {
            events.receiveEvents(message -> {
                AddressMessage event = AddressMessage.parseEvent(message);
                if (event != null && event.is(index, address)) {
                    latest[0] = message.type() == RTM_DELADDR ? AddressState.ABSENT : event.state();
                }
            });
            return latest[0];
        } catch (NetworkException e) {
            if (e.errno() != Errno.ENOBUFS) {
                throw e;
            }
            return lookAgain.get(); // events were lost: look again
        }
    }
}
