package org.renumber.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Function;

/**
 * Moves every item of a reaction (listeners, connections) even when some fail: the ones that failed stay where
 * they were, and the first failure is thrown afterwards with the others suppressed, so the client logs them all.
 */
final class EachMove {

    private EachMove() {
    }

    /** One item's move. */
    @FunctionalInterface
    interface Move<T> {
        void move(T item) throws IOException;
    }

    /** Runs {@code move} on each of {@code items}; {@code describe} words the message of a failure. */
    static <T> void all(Iterable<T> items, Move<T> move, Function<IOException, String> describe) {
        UncheckedIOException failure = null;
        for (T item : items) {
            try {
                move.move(item);
            } catch (IOException e) {
                UncheckedIOException wrapped = new UncheckedIOException(describe.apply(e), e);
                if (failure == null) {
                    failure = wrapped;
                } else {
                    failure.addSuppressed(wrapped);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
