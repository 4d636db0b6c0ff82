package org.renumber.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Runs a {@link KernelTest} only as root; otherwise skips it, saying so. */
public final class RootRequired implements ExecutionCondition {

    private static final ConditionEvaluationResult ROOT = ConditionEvaluationResult.enabled("running as root");

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        long uid = effectiveUid();
        return uid == 0 ? ROOT : ConditionEvaluationResult.disabled("needs root and a real kernel (network "
                + "namespaces, netlink, nftables); running as uid " + uid + ": run it as root, or leave the kernel "
                + "tests out with -DexcludedGroups=kernel");
    }

    /** The effective uid from /proc/self/status ("Uid: real effective saved fs"); -1 when it cannot be read. */
    static long effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Long.parseLong(line.substring(4).strip().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
