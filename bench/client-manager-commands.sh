#!/usr/bin/env bash
# Command round trip REST -> agent -> REST with 10,000 agents connected: p50/p99 at 1,000 commands/s (open loop,
# latency from the intended send time) and the highest rate with p99 <= 50 ms
# (org.homeconsole.bench.clientmanager.CommandRoundTripBenchmark, issue #3).
#
#   bench/client-manager-commands.sh [--rates=1000,2000,3000,5000,7000,10000] [--rounds=2] [--seconds=15]
#                                    [--warmup-seconds=5] [--agents=10000] [--refine=2] [--out=FILE] [--help]
#
# Every round starts a fresh node (its own JVM, -Xms1g -Xmx1g -XX:+UseG1GC, new data dir, client manager
# standalone) and the simulated agents (AgentMain --simulate, its own JVM), warms up, then steps through the
# rates until one fails. Loopback only; ports 18000 (HTTP), 19092 (Kafka), 20000 (client manager) unless
# --http-port/--kafka-port/--cm-port say otherwise. About 4 minutes per round.
#
# Builds the bench module and the distribution when they are missing (BENCH_BUILD=1 forces it). The load
# generator gets BENCH_JAVA_OPTS (default -Xms1g -Xmx1g); the run is killed after BENCH_TIMEOUT seconds (1800);
# every process it started is stopped on any exit.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
MAIN_CLASS=org.homeconsole.bench.clientmanager.CommandRoundTripBenchmark
# shellcheck source=bench/client-manager-common.sh
. "$ROOT/bench/client-manager-common.sh"
cm_bench_build
cm_bench_run "$MAIN_CLASS" "$@"
