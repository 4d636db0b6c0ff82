package org.renumber.service;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.renumber.domain.AddressState;
import org.renumber.domain.port.NetworkControl;

/** ADDING: the new address goes up ({@code newAddressAdded}); it is removed last on rollback. */
record NewAddressStep(NetworkControl network, RunningChange progress) implements KernelStep {

    /**
     * How long a new address may stay tentative. IPv6 duplicate address detection takes about a second with the
     * kernel's defaults (one probe, one second); an address still tentative after this means a link without
     * carrier or a very unusual DAD configuration, and the change fails rather than announce an unusable address.
     */
    static final Duration USABLE_TIMEOUT = Duration.ofSeconds(30);

    void apply() {
        var change = progress.change();
        if (progress.currentInterface().find(change.request().newAddress().address()).isEmpty()) {
            progress.transition(c -> c.withSteps(c.progress().steps().withNewAddressAdded()));
            network.addAddress(change.request().interfaceName(), change.request().newAddress());
        }
    }

    /** Waits for the kernel to settle the new address's state; null when the operator cancels first. */
    AddressState awaitUsable(CompletableFuture<Void> cancelRequested) throws InterruptedException {
        var change = progress.change();
        CompletableFuture<AddressState> usable = network.awaitUsable(change.request().interfaceName(),
                change.request().newAddress(), USABLE_TIMEOUT);
        try {
            CompletableFuture.anyOf(usable, cancelRequested).get();
            return cancelRequested.isDone() ? null : usable.join();
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not follow the state of " + change.request().newAddress() + ": "
                    + e.getCause().getMessage(), e.getCause());
        } finally {
            usable.cancel(false); // ends the kernel wait when the cancel came first
        }
    }

    @Override
    public void undo(List<String> problems) {
        var change = progress.change();
        KernelStep.attempt(problems, "could not remove the new address", () -> {
            if (change.progress().steps().newAddressAdded()
                    && progress.currentInterface().find(change.request().newAddress().address()).isPresent()) {
                network.removeAddress(change.request().interfaceName(), change.request().newAddress());
            }
        });
    }
}
