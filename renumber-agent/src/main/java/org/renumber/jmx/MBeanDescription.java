package org.renumber.jmx;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Describes a whole MBean (what JConsole shows for it). jmxutils' {@code @Managed} applies to methods only; for
 * the class it takes the description from any runtime annotation with a {@code description()} element.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface MBeanDescription {
    String description();
}
