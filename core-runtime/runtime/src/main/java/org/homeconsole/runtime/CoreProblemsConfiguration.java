package org.homeconsole.runtime;

import org.apache.camel.builder.RouteConfigurationBuilder;

/**
 * The shared error handling of routes that answer HTTP, as route configuration {@code core-problems}:
 * any exception becomes an RFC 9457 {@code application/problem+json} response (bean {@code problems}).
 * Routes opt in with {@code routeConfigurationId: core-problems}.
 *
 * <p>It is defined here, before any route exists, rather than in a route file: a route configuration
 * loaded from YAML into the running context was not applied to routes added afterwards (Camel 4.17).
 */
final class CoreProblemsConfiguration extends RouteConfigurationBuilder {

    static final String ID = "core-problems";

    @Override
    public void configuration() {
        routeConfiguration(ID)
                .onException(Exception.class)
                .handled(true)
                .bean("problems", "render");
    }
}
