package org.renumber.service;

import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.renumber.domain.AddressRule;
import org.renumber.domain.IpLiterals;
import org.renumber.domain.port.NetworkControl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the new address each policy rule that names exactly the old one as its source or destination
 * ({@code from OLD/32 lookup 100}, {@code to OLD/32 lookup 100}, or both): the same rule with the new address
 * in each selector that named the old one, {@code from NEW/32}. The kernel keys a rule by all it is, so both
 * rules coexist until the old one goes with the old address. Only copies the agent adds are journaled
 * ({@code copiedRules}, before they are added): a rule the new address already had is the operator's, and a rollback
 * must not delete it. Rules that select the old address only through a wider prefix ({@code to 10.9.0.0/16}) may or
 * may not cover the new address, and inverted ones ({@code not to OLD}) select every other address; only the
 * operator knows what they are for: they are left as they are and logged. Run when steering and again just before
 * the removal, for rules added during the drain.
 */
record RuleCopyStep(NetworkControl network, RunningChange progress) implements KernelStep {

    private static final Logger log = LoggerFactory.getLogger(ChangeWorkflow.class);

    void apply() {
        var change = progress.change();
        InetAddress fresh = change.request().newAddress().address();
        List<AddressRule> rules = network.rulesSelecting(change.request().oldAddress().address());
        for (AddressRule other : rules.stream().filter(r -> !r.singleAddress()).toList()) {
            log.info("change {}: rule {} does not select {} alone; left as it is", change.id(), other,
                    IpLiterals.format(change.request().oldAddress().address()));
        }
        Set<String> present = new HashSet<>();
        network.rulesSelecting(fresh).forEach(r -> present.add(r.key()));
        List<AddressRule> missing = rules.stream()
                .filter(r -> r.singleAddress() && !present.contains(r.key())).toList();
        if (missing.isEmpty()) {
            return;
        }
        progress.transition(c -> c.withSteps(c.progress().steps().withCopiedRules(missing)));
        for (AddressRule rule : missing) {
            network.addRuleSelecting(rule, fresh);
            log.info("change {}: rule {} now also for {}", change.id(), rule, IpLiterals.format(fresh));
        }
    }

    @Override
    public void undo(List<String> problems) {
        var change = progress.change();
        for (AddressRule rule : change.progress().steps().copiedRules()) {
            KernelStep.attempt(problems, "could not delete the copy of rule " + rule + " for "
                    + change.request().newAddress(),
                    () -> network.deleteRuleSelecting(rule, change.request().newAddress().address()));
        }
    }

    /**
     * The old address's own rules go with it, as an operator renumbering by hand would delete them; by now each
     * has its copy for the new address. Not journaled: nothing undoes the removal of the old address.
     */
    void deleteRulesOfOldAddress() {
        var change = progress.change();
        InetAddress old = change.request().oldAddress().address();
        for (AddressRule rule : network.rulesSelecting(old)) {
            if (rule.singleAddress()) {
                network.deleteRuleSelecting(rule, old);
                log.info("change {}: rule {} deleted with {}", change.id(), rule, IpLiterals.format(old));
            }
        }
    }
}
