#!/usr/bin/env bash
# Idle agents on one node against a plain Vert.x WebSocket echo server: heap per connection after GC (and the
# ratio), connect rate, idle CPU (org.homeconsole.bench.clientmanager.IdleAgentsBenchmark, issue #3).
#
#   bench/client-manager-idle.sh [--agents=10000] [--rounds=3] [--connect-rate=10000] [--hold-seconds=15]
#                                [--warmup=200] [--out=FILE] [--help for every option]
#
# Every round starts, as their own JVMs with the same heap and GC options (-Xms1g -Xmx1g -XX:+UseG1GC), a fresh
# node (java -cp 'dist/target/lib/*' org.homeconsole.runtime.HomeConsole, new data dir, client manager standalone)
# and the echo server, then connects the agents to the node and as many plain sockets to the echo server, one
# after the other. Loopback only; ports 18000 (HTTP), 19092 (Kafka), 20000 (client manager), 20100 (echo) unless
# --http-port/--kafka-port/--cm-port/--echo-port say otherwise. About 3 minutes per round.
#
# Builds the bench module and the distribution when they are missing (BENCH_BUILD=1 forces it). The load
# generator gets BENCH_JAVA_OPTS (default -Xms1g -Xmx1g); the run is killed after BENCH_TIMEOUT seconds (1800);
# every process it started is stopped on any exit.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
MAIN_CLASS=org.homeconsole.bench.clientmanager.IdleAgentsBenchmark
# shellcheck source=bench/client-manager-common.sh
. "$ROOT/bench/client-manager-common.sh"
cm_bench_build
cm_bench_run "$MAIN_CLASS" "$@"
