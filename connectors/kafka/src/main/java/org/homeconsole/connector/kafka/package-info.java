/**
 * The kernel's {@link org.homeconsole.api.events.EventBus} and
 * {@link org.homeconsole.api.services.ServiceRegistry} on Kafka:
 * {@link org.homeconsole.connector.kafka.KafkaEventBus} and
 * {@link org.homeconsole.connector.kafka.KafkaServiceRegistry}, each configured by a settings record
 * and driven by {@code start()} / {@code close()}. Everything under {@code internal} may change
 * without notice.
 */
package org.homeconsole.connector.kafka;
