#!/usr/bin/env bash
# EventBus against raw Kafka clients on one in-process embedded broker (org.homeconsole.bench.EventBusBenchmark).
#
#   bench/event-bus.sh [--events=600000] [--rate=10000] [--warmup-seconds=3] [--latency-seconds=10]
#                      [--rounds=5] [--subscribers=1,4,16] [--case-cap-seconds=120] [--jit-warmup-max-seconds=240]
#                      [--raw-ce=false] [--raw-bytes=false] [--linger-ms=N] [--bus-client=name=value,...]
#                      [--bus-variant=name=value,...] [--out=FILE]
#
# Builds the bench module when bench/target/lib is missing (BENCH_BUILD=1 forces it). The JVM gets a fixed
# 1 GB heap (BENCH_JAVA_OPTS replaces that); the whole run is killed after BENCH_TIMEOUT seconds (1800).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [ "${BENCH_BUILD:-0}" = 1 ] || [ ! -d bench/target/lib ] || [ ! -d bench/target/classes ]; then
  ./mvnw -q -B package -DskipTests -pl bench -am
fi
# compiler threads that end take their CPU time with them, and the warm-up reads the JIT's use from /proc: keep them
exec timeout "${BENCH_TIMEOUT:-1800}" java ${BENCH_JAVA_OPTS:--Xms1g -Xmx1g} -XX:-UseDynamicNumberOfCompilerThreads \
  -cp "bench/target/classes:bench/target/lib/*" org.homeconsole.bench.EventBusBenchmark "$@"
