package org.renumber.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.renumber.testing.KernelTest;

/**
 * The fault-injection suite of issue 13: the packaged agent is killed with SIGKILL at every step boundary of a
 * change and started again on the same state directory, which must finish the change or roll it back, with a usable
 * address on the interface at every 10 ms sample, no rule, route, nft table or reservation left behind and the
 * subscriptions kept ({@link FaultCase} does one kill and checks all of that).
 *
 * <p>The boundaries are not listed here: every step journals before it touches the kernel, so the journal writes
 * are the boundaries, and the agent's test seam ({@code renumber.test.pauseAt}, docs/architecture.md "Fault
 * injection") names each write by what it records. Each scenario first runs once uninterrupted with the seam
 * tracing; its trace is the list of points, and the agent is then killed just before and just after each write, so
 * a step added to the workflow is covered without touching this test. The scenarios ({@link FaultScenario}) add
 * what the plain change does not pass through: a warning, IPv6, the guard, a cancel's and two failures' rollbacks, a
 * force-close.
 */
@KernelTest
class FaultInjectionIT {

    /**
     * {@code all} (the {@code faults} profile): both sides of every write, about 60 kills and six minutes. Otherwise
     * (CI): one side of each write, before and after in turn, about 30 kills and three minutes.
     */
    static final String MATRIX_PROPERTY = "renumber.faults";
    /** A scenario's name to run only that one, e.g. {@code -Drenumber.faults.scenario=ipv6}. */
    static final String SCENARIO_PROPERTY = "renumber.faults.scenario";

    @TestFactory
    Stream<DynamicNode> killedAtEveryJournalWriteTheAgentFinishesOrRollsBackTheChange() {
        String only = System.getProperty(SCENARIO_PROPERTY, "");
        return FaultScenario.all().stream().filter(s -> only.isEmpty() || s.name().equals(only)).map(scenario -> DynamicContainer.dynamicContainer(scenario.name(),
                // Lazily: the trace (one uninterrupted run) is taken when JUnit reaches the scenario.
                Stream.of(scenario).flatMap(FaultInjectionIT::killCases)));
    }

    private static Stream<DynamicTest> killCases(FaultScenario scenario) {
        List<String> points;
        try (FaultCase uninterrupted = FaultCase.create(scenario)) {
            points = uninterrupted.run(FaultCase.TRACE);
        } catch (Exception e) {
            throw new AssertionError("the uninterrupted run of " + scenario + " failed: " + e.getMessage(), e);
        }
        List<String> kills = killPoints(scenario, points, "all".equals(System.getProperty(MATRIX_PROPERTY)));
        assertThat(kills).as("the points of %s (trace %s)", scenario, points).isNotEmpty();
        return kills.stream().map(point -> DynamicTest.dynamicTest("SIGKILL at " + point, () -> {
            try (FaultCase kill = FaultCase.create(scenario)) {
                kill.run(point);
            }
        }));
    }

    /** Before and after each traced write from the scenario's first point on; or before one, after the next. */
    static List<String> killPoints(FaultScenario scenario, List<String> trace, boolean bothSides) {
        int from = scenario.firstPoint() == null ? 0 : trace.indexOf(scenario.firstPoint());
        assertThat(from).as("%s passes %s (trace %s)", scenario, scenario.firstPoint(), trace).isNotNegative();
        List<String> kills = new ArrayList<>();
        List<String> points = trace.subList(from, trace.size());
        for (int i = 0; i < points.size(); i++) {
            if (bothSides || i % 2 == 0) {
                kills.add(points.get(i) + ":before");
            }
            if (bothSides || i % 2 == 1) {
                kills.add(points.get(i) + ":after");
            }
        }
        return kills;
    }
}
