package org.renumber.service;

import java.util.List;
import org.renumber.domain.port.NetworkControl;

/** ADDING: the new address goes up ({@code newAddressAdded}); it is removed last on rollback. */
record NewAddressStep(NetworkControl network, ChangeProgress progress) implements KernelStep {

    void apply() {
        var change = progress.change();
        if (progress.currentInterface().find(change.newAddress().address()).isEmpty()) {
            progress.transition(c -> c.withSteps(c.steps().withNewAddressAdded()));
            network.addAddress(change.interfaceName(), change.newAddress());
        }
    }

    @Override
    public void undo(List<String> problems) {
        var change = progress.change();
        KernelStep.attempt(problems, "could not remove the new address", () -> {
            if (change.steps().newAddressAdded()
                    && progress.currentInterface().find(change.newAddress().address()).isPresent()) {
                network.removeAddress(change.interfaceName(), change.newAddress());
            }
        });
    }
}
