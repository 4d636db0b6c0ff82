package org.renumber.service;

import java.io.PrintStream;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import org.renumber.domain.Change;

/**
 * Test seam of the fault-injection suite (docs/architecture.md, "Fault injection"): stops a change's workflow at one
 * journal write, so a test can SIGKILL the agent exactly there. Inert unless the JVM was started with
 * {@code -Drenumber.test.pauseAt=POINT:before|after} (block there for good) or {@code =trace} (print every point
 * passed). Every step journals before it touches the kernel, so the journal writes are the step boundaries: before a
 * write, the previous step's kernel work is done and not yet followed by the next record; after it, the next step is
 * recorded and not yet done. A point is named by what the write changes: the new state ({@code DRAINING}), else the
 * {@code ChangeSteps} components it sets ({@code newAddressAdded}), with {@code #n} for its n-th occurrence in the
 * change. One instance per change.
 */
final class PausePoint {

    static final String PROPERTY = "renumber.test.pauseAt";
    /** Read once, when the class loads; an agent started without the property never pauses. */
    private static final String SETTING = System.getProperty(PROPERTY, "");

    private final Map<String, Integer> occurrences = new HashMap<>();

    /** Runs the journal write {@code write} of {@code before -> after}, stopping around it if asked. */
    void around(Change before, Change after, Runnable write) {
        if (SETTING.isEmpty()) {
            write.run();
            return;
        }
        String point = name(before, after);
        reach(point + ":before");
        write.run();
        reach(point + ":after");
    }

    private void reach(String point) {
        PrintStream err = System.err;
        if (SETTING.equals("trace")) {
            if (point.endsWith(":after")) {
                err.println("renumber.test: passed " + point.substring(0, point.length() - ":after".length()));
            }
            return;
        }
        if (SETTING.equals(point)) {
            err.println("renumber.test: paused at " + point);
            err.flush();
            try {
                new CountDownLatch(1).await(); // until the test kills the agent
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    synchronized String name(Change before, Change after) {
        String what = before.progress().state() != after.progress().state() ? after.progress().state().name()
                : changed(before.progress().steps(), after.progress().steps());
        if (what.isEmpty()) {
            what = "other";
        }
        return what + "#" + occurrences.merge(what, 1, Integer::sum);
    }

    /** The names of the record components that differ, joined by '+'. */
    private static String changed(Record before, Record after) {
        List<String> names = new ArrayList<>();
        for (RecordComponent component : before.getClass().getRecordComponents()) {
            try {
                if (!Objects.equals(component.getAccessor().invoke(before), component.getAccessor().invoke(after))) {
                    names.add(component.getName());
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return String.join("+", names);
    }
}
