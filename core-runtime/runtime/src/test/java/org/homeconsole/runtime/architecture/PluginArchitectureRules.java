package org.homeconsole.runtime.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Set;
import java.util.TreeSet;
import org.homeconsole.api.plugin.Plugin;

/**
 * Seed 002's CI check: in-process plugin code never creates an HTTP server or opens a port — the core
 * owns the process and its one server. (Routes that would open one are refused at load time by the
 * runtime's PortGuard; this rule covers Java code.)
 */
final class PluginArchitectureRules {

    /** Types whose use means "this code opens a port or runs a server". */
    static final DescribedPredicate<JavaClass> SERVER_TYPES = new DescribedPredicate<>("open a port or run a server") {
        @Override
        public boolean test(JavaClass type) {
            String name = type.getName();
            return name.equals("java.net.ServerSocket")
                    || name.equals("java.nio.channels.ServerSocketChannel")
                    || name.equals("java.nio.channels.AsynchronousServerSocketChannel")
                    || name.equals("javax.net.ssl.SSLServerSocket")
                    || name.startsWith("com.sun.net.httpserver.")
                    || name.equals("io.vertx.core.http.HttpServer")
                    || name.equals("io.vertx.core.net.NetServer")
                    || name.equals("io.vertx.core.datagram.DatagramSocket")
                    || name.equals("io.netty.bootstrap.ServerBootstrap")
                    || name.startsWith("org.eclipse.jetty.server.")
                    || name.startsWith("io.undertow.")
                    || name.startsWith("org.apache.catalina.")
                    || name.equals("org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer");
        }
    };

    private PluginArchitectureRules() {
    }

    /** The packages that hold plugins: those of every class implementing {@link Plugin}. */
    static Set<String> pluginPackages(JavaClasses classes) {
        Set<String> packages = new TreeSet<>();
        for (JavaClass type : classes) {
            if (!type.isInterface() && type.isAssignableTo(Plugin.class)) {
                packages.add(type.getPackageName() + "..");
            }
        }
        return packages;
    }

    static ArchRule noServersIn(Set<String> packages) {
        return noClasses().that().resideInAnyPackage(packages.toArray(String[]::new))
                .should().dependOnClassesThat(SERVER_TYPES)
                .because("the core owns the process and its one HTTP server; plugins contribute routes (SPEC §1, seed 002)");
    }
}
