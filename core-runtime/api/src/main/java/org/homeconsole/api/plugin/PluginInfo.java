package org.homeconsole.api.plugin;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A plugin's metadata, read from the class without creating an instance.
 * Every {@link Plugin} implementation must carry it.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface PluginInfo {

    /** Unique plugin name: lower case letters, digits, '-' and '_', e.g. {@code devices}. */
    String name();

    String version() default "0.0.0";

    String description() default "";

    /** Names of plugins that must be started before this one. */
    String[] dependencies() default {};
}
