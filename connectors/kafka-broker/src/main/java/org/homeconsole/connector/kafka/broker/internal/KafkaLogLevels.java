package org.homeconsole.connector.kafka.broker.internal;

import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.Configurator;
import org.slf4j.LoggerFactory;

/**
 * Turns the broker's own loggers down to WARN.
 *
 * <p>An embedded broker logs hundreds of INFO lines at start-up (its whole configuration, every
 * partition it loads) that say nothing to the application's user. Done in code rather than in a
 * {@code log4j2.xml} shipped in this jar, which would fight the application's own configuration.
 * A logger the application configured itself is left alone, and nothing happens when Log4j is not
 * the logging backend.
 */
public final class KafkaLogLevels {

    private static final List<String> BROKER_LOGGERS = List.of(
            "kafka",
            "state.change.logger",
            "org.apache.kafka.server",
            "org.apache.kafka.controller",
            "org.apache.kafka.raft",
            "org.apache.kafka.metadata",
            "org.apache.kafka.image",
            "org.apache.kafka.snapshot",
            "org.apache.kafka.storage",
            "org.apache.kafka.coordinator",
            "org.apache.kafka.queue",
            "org.apache.kafka.network",
            "org.apache.kafka.security",
            // the broker's internal clients (controller channel) and its config dumps
            "org.apache.kafka.clients.NetworkClient",
            "org.apache.kafka.common.config.AbstractConfig",
            "org.apache.kafka.common.utils.AppInfoParser",
            "org.apache.kafka.common.network",
            "org.apache.kafka.common.metrics",
            "org.apache.kafka.common.telemetry");

    private KafkaLogLevels() {
    }

    public static void quietBrokerLoggers() {
        if (!LoggerFactory.getILoggerFactory().getClass().getName().startsWith("org.apache.logging.slf4j")) {
            return;
        }
        try {
            Log4jCore.lower(BROKER_LOGGERS);
        } catch (LinkageError | RuntimeException e) {
            // only cosmetics: the broker works the same with its INFO logging
            LoggerFactory.getLogger(KafkaLogLevels.class).debug("Could not lower Kafka's log levels: {}", e.toString());
        }
    }

    /** Apart so that this class still loads when log4j-core is not on the class path. */
    private static final class Log4jCore {
        static void lower(List<String> names) {
            if (!(LogManager.getContext(false) instanceof LoggerContext context)) {
                return;
            }
            Configuration configuration = context.getConfiguration();
            for (String name : names) {
                if (!configuration.getLoggers().containsKey(name)) {
                    Configurator.setLevel(name, Level.WARN);
                }
            }
        }
    }
}
