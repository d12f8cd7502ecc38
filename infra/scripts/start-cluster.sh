#!/usr/bin/env bash
# Several client-manager nodes on one machine, without Docker, sharing Kafka, Redis and PostgreSQL:
#
#   infra/scripts/start-cluster.sh [N]        (default 2; Ctrl-C stops everything it started)
#
# Node i (1..N) serves the core on 18000+i and the client manager on 10000+i (ws://127.0.0.1:1000i/ws);
# give agents every node's URL (--url ws://127.0.0.1:10001/ws --url ws://127.0.0.1:10002/ws ...) and they
# move to another node when theirs dies. Uses what it finds, in this order:
#   Kafka       KAFKA_BOOTSTRAP_SERVERS, else a broker process of its own on 127.0.0.1:19092
#   Redis       REDIS_URL, else redis-server on 127.0.0.1:16379 if installed, else it stops with a message
#   PostgreSQL  DATABASE_URL (jdbc:postgresql://... or postgres://...), else 127.0.0.1:5432 (trust auth)
# Data and logs: ./data/cluster/. The admin key: HOMECONSOLE_ADMIN_API_KEY (default below).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
N="${1:-2}"
LIB="$ROOT/dist/target/lib"
WORK="$ROOT/data/cluster"
KEY="${HOMECONSOLE_ADMIN_API_KEY:-cluster-admin-key-change-me}"
pids=()

die() { echo "start-cluster: $*" >&2; exit 1; }
stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop_all EXIT INT TERM

[[ "$N" =~ ^[1-9][0-9]?$ ]] || die "N must be a number of nodes, 1-99"
[ -d "$LIB" ] || "$ROOT/bin/homeconsole" build
mkdir -p "$WORK"

wait_port() { # host port what
  for _ in $(seq 1 120); do
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && { exec 3>&- 3<&-; return 0; }
    sleep 0.5
  done
  die "$3 did not open $1:$2 (see $WORK/*.log)"
}

if [ -z "${KAFKA_BOOTSTRAP_SERVERS:-}" ]; then
  java -Xmx256m -cp "$LIB/*" org.homeconsole.connector.kafka.broker.EmbeddedKafkaBroker "$WORK/kafka" 19092 \
    >"$WORK/kafka.log" 2>&1 &
  pids+=($!)
  wait_port 127.0.0.1 19092 "Kafka"
  KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:19092
fi

if [ -z "${REDIS_URL:-}" ]; then
  command -v redis-server >/dev/null || die "set REDIS_URL, or install redis-server"
  redis-server --port 16379 --bind 127.0.0.1 --save '' --appendonly no >"$WORK/redis.log" 2>&1 &
  pids+=($!)
  wait_port 127.0.0.1 16379 "Redis"
  REDIS_URL=redis://127.0.0.1:16379
fi

if [ -z "${DATABASE_URL:-}" ]; then
  (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null || die "set DATABASE_URL, or run PostgreSQL on 127.0.0.1:5432 (the nodes share tokens and job history there)"
  DATABASE_URL="jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres"
fi

for i in $(seq 1 "$N"); do
  mkdir -p "$WORK/node-$i"
  (cd "$WORK/node-$i" && \
   HOMECONSOLE_NODE_ID="cm-$i" HOMECONSOLE_HTTP_PORT=$((18000 + i)) HOMECONSOLE_DATA_DIR="$WORK/node-$i" \
   HOMECONSOLE_ROUTES_DIR="$ROOT/routes" HOMECONSOLE_ADMIN_API_KEY="$KEY" \
   KAFKA_BOOTSTRAP_SERVERS="$KAFKA_BOOTSTRAP_SERVERS" REDIS_URL="$REDIS_URL" DATABASE_URL="$DATABASE_URL" \
   CLIENT_MANAGER_MODE=standalone CLIENT_MANAGER_PORT=$((10000 + i)) HOMECONSOLE_DISABLED_PLUGINS=devices \
   exec java ${JAVA_OPTS:--Xmx512m} -cp "$LIB/*" org.homeconsole.runtime.HomeConsole) >"$WORK/node-$i.log" 2>&1 &
  pids+=($!)
done
for i in $(seq 1 "$N"); do wait_port 127.0.0.1 $((10000 + i)) "node $i"; done

echo "start-cluster: $N nodes up; admin key: $KEY"
for i in $(seq 1 "$N"); do
  echo "  node cm-$i: REST http://127.0.0.1:$((10000 + i))/api   agents ws://127.0.0.1:$((10000 + i))/ws   core http://127.0.0.1:$((18000 + i))"
done
echo "  Kafka $KAFKA_BOOTSTRAP_SERVERS, Redis $REDIS_URL, logs in $WORK"
wait -n "${pids[@]}" || true
echo "start-cluster: a process exited; stopping the rest" >&2
