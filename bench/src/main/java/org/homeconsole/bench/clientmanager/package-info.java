/**
 * Client Manager benchmarks (issue #3), each a {@code main}, each starting the processes it measures:
 * {@link org.homeconsole.bench.clientmanager.IdleAgentsBenchmark} (heap per idle agent connection on the node
 * against a plain Vert.x WebSocket {@link org.homeconsole.bench.clientmanager.EchoServer}, and the connect rate) and
 * {@link org.homeconsole.bench.clientmanager.CommandRoundTripBenchmark} (REST to agent to REST round trip, open
 * loop, stepped rates). Scripts: {@code bench/client-manager-idle.sh}, {@code bench/client-manager-commands.sh}.
 * Figures: {@code docs/benchmarks-client-manager.md}. Nothing here asserts on time.
 */
package org.homeconsole.bench.clientmanager;
