package org.renumber.jmx;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Describes an operation parameter. jmxutils has no parameter annotation of its own; it takes a parameter's
 * description from any runtime annotation on it that has a {@code description()} element.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface Param {
    String description();
}
