#!/usr/bin/env bash
# Cross-node command round trip (org.homeconsole.bench.clientmanager.CrossNodeBenchmark, issue #4): 10,000 agents on
# node A, REST calls on node B — p50/p99 at 1,000 commands/s (open loop) and the highest rate with p99 <= 50 ms —
# beside the single-node figures (REST on A) and a third node (REST on B and C in turn) from the same run.
#
#   bench/client-manager-cross-node.sh [--rates=1000,2000,3000,5000,7000,10000] [--rounds=1] [--seconds=15]
#                                      [--warmup-seconds=5] [--agents=10000] [--refine=3] [--out=FILE] [--help]
#
# Every round starts a fresh cluster: a Kafka broker process on 127.0.0.1:19092, a Redis of its own on a free port
# (embedded-redis's redis-server, or /usr/bin/redis-server), nodes A, B and later C (own JVMs, -Xms1g -Xmx1g,
# HTTP 18000+i, client manager 20000+i), the simulated agents (own JVM) connected to A. About 20 minutes per round.
#
# Builds what is missing like the other client-manager benchmarks (BENCH_BUILD=1 forces it); the run is killed after
# BENCH_TIMEOUT seconds (3600); every process it started is stopped on any exit.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
MAIN_CLASS=org.homeconsole.bench.clientmanager.CrossNodeBenchmark
BENCH_TIMEOUT="${BENCH_TIMEOUT:-3600}"
# shellcheck source=bench/client-manager-common.sh
. "$ROOT/bench/client-manager-common.sh"
cm_bench_build
cm_bench_run "$MAIN_CLASS" "$@"
