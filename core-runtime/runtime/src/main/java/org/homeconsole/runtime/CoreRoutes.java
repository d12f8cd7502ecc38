package org.homeconsole.runtime;

import org.apache.camel.builder.RouteBuilder;

/**
 * The routes the core always has, whatever the route files say: the REST configuration (platform-http on the
 * core's one server, the OpenAPI document at {@code /api/openapi.json}) and {@code /health} and {@code /ready},
 * which must not disappear when someone edits a file. Everything else is in {@code routes/}.
 */
final class CoreRoutes extends RouteBuilder {

    private final String version;
    private final int port;

    CoreRoutes(String version, int port) {
        this.version = version;
        this.port = port;
    }

    @Override
    public void configure() {
        restConfiguration()
                .component("platform-http")
                .host("localhost").port(port)
                .apiContextPath("/api/openapi.json")
                .apiContextRouteId("rest-core-openapi")
                .apiProperty("api.title", "Home Console")
                .apiProperty("api.version", version)
                .apiProperty("api.description", "Home Console core: health, admin API and the REST routes of plugins.");

        rest().id("core-health-rest")
                .get("/health").routeId("rest-core-health").description("Liveness: the process serves HTTP.").produces("application/json").to("direct:core-health")
                .get("/ready").routeId("rest-core-ready").description("Readiness: 200 once broker, storage and every plugin have started; 503 with the reasons otherwise.")
                .produces("application/json").to("direct:core-ready");

        from("direct:core-health").routeId("core-health-check").bean("readiness", "health");
        from("direct:core-ready").routeId("core-ready-check").bean("readiness", "ready");
    }
}
