package org.renumber.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test that needs root and a real kernel (network namespaces, netlink, nftables, an agent managing a namespace).
 * Tagged {@code kernel}, so {@code mvn test -DexcludedGroups=kernel} leaves it out; run without root it is reported
 * as skipped with the reason (see {@link RootRequired}) instead of erroring.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("kernel")
@ExtendWith(RootRequired.class)
public @interface KernelTest {
}
