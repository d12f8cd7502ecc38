/**
 * Load generators for Home Console, each a {@code main}: {@link org.homeconsole.bench.EventBusBenchmark}
 * (the EventBus against plain Kafka clients on one embedded broker). The cold-start benchmark is
 * {@code bench/cold-start.sh}. Figures and the commands that reproduce them are in
 * {@code docs/benchmarks.md}; nothing here asserts on time.
 */
package org.homeconsole.bench;
