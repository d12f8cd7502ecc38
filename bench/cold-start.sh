#!/usr/bin/env bash
# Cold start and heap of the embedded default, started the way `bin/homeconsole run` starts it
# (java -cp 'dist/target/lib/*' org.homeconsole.runtime.HomeConsole, from the repository root).
#
#   bench/cold-start.sh [--runs N] [--root DIR] [--out FILE]
#
# Each run: a brand-new HOMECONSOLE_DATA_DIR (true cold start: the broker formats its storage, the
# admin key and the SQLite file are created), then a restart on that same data dir. For each start:
# wall time from launching `java` to the first `GET /ready` = 200, where the log says the time went,
# and the heap in use after `jcmd <pid> GC.run` (GC.heap_info, cross-checked through Jolokia). The
# process is stopped (SIGTERM, then SIGKILL after 30 s) before the next start and on any exit.
#
# Free HTTP and Kafka ports are picked for every start, and HTTP binds to 127.0.0.1 only, so a running
# instance is never disturbed. JAVA_OPTS and the class archive made by `bin/homeconsole build` are
# passed to java as bin/homeconsole run does (NO_CDS=1 measures without the archive). --root measures
# another checkout's distribution (e.g. an exported commit). Nothing here asserts on time.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS=5
OUT=""
READY_TIMEOUT_S=120
STOP_TIMEOUT_S=30
MAIN_CLASS="org.homeconsole.runtime.HomeConsole"

while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --root) ROOT="$(cd "$2" && pwd)"; shift 2 ;;
    --out) OUT="$(cd "$(dirname "$2")" 2>/dev/null && pwd || echo "$PWD/$(dirname "$2")")/$(basename "$2")"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "cold-start: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
done

die() { echo "cold-start: $*" >&2; exit 1; }
log() { echo "cold-start: $*" >&2; }

# the class archive bin/homeconsole build makes, used the way bin/homeconsole run uses it (--no-cds: without)
CDS_OPTS=()
if [ "${NO_CDS:-}" != "1" ] && [ -f "$ROOT/dist/target/lib/homeconsole.jsa" ]; then
  CDS_OPTS=(-XX:SharedArchiveFile="$ROOT/dist/target/lib/homeconsole.jsa" -Xshare:auto -Xlog:cds=off -Xlog:cds+dynamic=off)
fi

for tool in java jcmd curl; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found"
done
cd "$ROOT"
if [ ! -f dist/target/lib/.built ]; then
  log "no distribution in $ROOT/dist/target/lib: building it with bin/homeconsole build"
  bin/homeconsole build
fi
for f in .env homeconsole.properties; do
  [ -f "$f" ] && log "warning: $ROOT/$f exists and its settings apply to the measured process"
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/hc-cold-start.XXXXXX")"
LOGS="${COLD_START_LOGS:-$WORK/logs}"
mkdir -p "$LOGS"
PID=""

stop_node() {
  [ -n "$PID" ] || return 0
  if kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID" 2>/dev/null || true
    local waited=0
    while kill -0 "$PID" 2>/dev/null && [ "$waited" -lt $((STOP_TIMEOUT_S * 10)) ]; do
      sleep 0.1
      waited=$((waited + 1))
    done
    if kill -0 "$PID" 2>/dev/null; then
      log "process $PID did not stop within ${STOP_TIMEOUT_S} s after SIGTERM: killing it"
      kill -KILL "$PID" 2>/dev/null || true
    fi
  fi
  wait "$PID" 2>/dev/null || true
  PID=""
}

cleanup() {
  stop_node
  # the logs survive only in COLD_START_LOGS, which is outside WORK
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A port nothing listens on now, below the kernel's ephemeral range so that no client connection holds it
# by chance; the runtime refuses a taken one anyway (exit code 2, naming the setting), and a start that
# loses that race is retried with other ports.
EPHEMERAL_LOW="$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)"
free_port() {
  local port span=$((EPHEMERAL_LOW - 10000))
  for _ in $(seq 1 50); do
    port=$((10000 + (RANDOM * 32768 + RANDOM) % span))
    if command -v ss >/dev/null 2>&1; then
      ss -Htan "( sport = :$port )" 2>/dev/null | grep -q . && continue
    elif (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      continue
    fi
    echo "$port"
    return 0
  done
  return 1
}

now_ns() { date +%s%N; }

# "busy steal total" clock ticks of all CPUs from /proc/stat (zeros where there is none)
cpu_ticks() {
  awk '/^cpu / { busy = $2 + $3 + $4 + $7 + $8; steal = $9; print busy, steal, busy + $5 + $6 + steal; exit }' /proc/stat 2>/dev/null \
    || echo "0 0 0"
}

# Milliseconds since local midnight of an epoch-nanosecond instant, to compare with the log's HH:mm:ss.SSS.
ms_of_day() {
  local ns="$1" hms
  hms="$(date -d "@$((ns / 1000000000))" +%H:%M:%S)"
  IFS=: read -r h m s <<<"$hms"
  echo $(( ((10#$h * 60 + 10#$m) * 60 + 10#$s) * 1000 + (ns / 1000000) % 1000 ))
}

# Milliseconds from launch to the first log line matching $2 (extended regex), or "-".
log_offset() {
  local logfile="$1" pattern="$2" launch_ms="$3"
  awk -v pat="$pattern" -v t0="$launch_ms" '
    $0 ~ /^[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9][0-9][0-9] / && $0 ~ pat {
      split(substr($1, 1, 8), t, ":"); ms = ((t[1] * 60 + t[2]) * 60 + t[3]) * 1000 + substr($1, 10, 3);
      print ms - t0; found = 1; exit }
    END { if (!found) print "-" }' "$logfile"
}

# The number a log line reports in "... in N ms", or "-".
log_ms() {
  local logfile="$1" pattern="$2"
  grep -E "$pattern" "$logfile" | head -1 | grep -oE 'in [0-9]+ ms' | grep -oE '[0-9]+' || echo "-"
}

# One start ($3 = 1 on a new data dir), run in this shell (not in $(...)) so that the EXIT trap can stop the process on any failure.
# Sets RESULT to "ready_ms first_log_ms broker_ms node_ms heap_used_kb heap_committed_kb jolokia_used_kb rss_kb stop_ms steal_pct".
RESULT=""
measure_start() {
  local data_dir="$1" logfile="$2" fresh="$3" http kafka launch ready code deadline rc attempt=1 ticks_before steal
  while :; do
    http="$(free_port)" || die "no free port found"
    kafka="$(free_port)" || die "no free port found"
    while [ "$kafka" = "$http" ]; do kafka="$(free_port)" || die "no free port found"; done

    ticks_before="$(cpu_ticks)"
    launch="$(now_ns)"
    env -u KAFKA_BOOTSTRAP_SERVERS -u DATABASE_URL -u HOMECONSOLE_ADMIN_API_KEY \
      HOMECONSOLE_DATA_DIR="$data_dir" HOMECONSOLE_HTTP_HOST=127.0.0.1 HOMECONSOLE_HTTP_PORT="$http" \
      HOMECONSOLE_KAFKA_PORT="$kafka" \
      java "${CDS_OPTS[@]}" ${JAVA_OPTS:-} -cp "$ROOT/dist/target/lib/*" "$MAIN_CLASS" >"$logfile" 2>&1 &
    PID=$!

    deadline=$((launch + READY_TIMEOUT_S * 1000000000))
    rc=""
    while :; do
      code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$http/ready" || true)"
      [ "$code" = "200" ] && break
      if ! kill -0 "$PID" 2>/dev/null; then
        wait "$PID" 2>/dev/null && rc=0 || rc=$?
        PID=""
        break
      fi
      if [ "$(now_ns)" -gt "$deadline" ]; then
        tail -20 "$logfile" >&2
        die "not ready within ${READY_TIMEOUT_S} s (last answer $code)"
      fi
      sleep 0.05
    done
    [ -z "$rc" ] && break
    # exit code 2 names a bad setting: a port taken since it was picked is worth another try
    if [ "$rc" = 2 ] && [ "$attempt" -lt 3 ] && grep -q 'already in use' "$logfile"; then
      log "  port taken meanwhile ($(grep -m1 -o 'HOMECONSOLE_[A-Z_]*PORT' "$logfile")): starting again on other ports"
      attempt=$((attempt + 1))
      # a cold start must begin on an empty data dir again
      [ "$fresh" = 1 ] && rm -rf "$data_dir"
      continue
    fi
    tail -20 "$logfile" >&2
    die "the process exited with code $rc before it was ready (log above, full log $logfile)"
  done
  ready="$(now_ns)"
  # how much of the machine the hypervisor took away while this start ran (a shared machine's noise)
  steal="$(awk -v a="$ticks_before" -v b="$(cpu_ticks)" 'BEGIN { split(a, x, " "); split(b, y, " ");
    t = y[3] - x[3]; if (t > 0) printf "%d", 100 * (y[2] - x[2]) / t; else print "-" }')"

  local launch_ms first broker node
  launch_ms="$(ms_of_day "$launch")"
  first="$(log_offset "$logfile" '.' "$launch_ms")"
  broker="$(log_ms "$logfile" 'Embedded Kafka broker ready')"
  node="$(log_offset "$logfile" 'Home Console .* started in' "$launch_ms")"

  # the live set: collect first, so that garbage from start-up does not count
  jcmd "$PID" GC.run >/dev/null
  local heap_info used committed jolokia rss
  heap_info="$(jcmd "$PID" GC.heap_info)"
  # e.g. " garbage-first heap   total 65536K, used 41234K [0x..."
  used="$(grep -m1 -oE 'used [0-9]+K' <<<"$heap_info" | grep -oE '[0-9]+')"
  committed="$(grep -m1 -oE 'total [0-9]+K' <<<"$heap_info" | grep -oE '[0-9]+')"
  jolokia="$(curl -s --max-time 5 "http://127.0.0.1:$http/observe/jolokia/read/java.lang:type=Memory/HeapMemoryUsage" \
    | grep -oE '"used":[0-9]+' | grep -oE '[0-9]+' || true)"
  jolokia="${jolokia:+$((jolokia / 1024))}"
  rss="$(awk '/^VmRSS:/ {print $2}' "/proc/$PID/status" 2>/dev/null || echo "-")"
  echo "$heap_info" >"$logfile.heap"

  local stop_begin stop_end
  stop_begin="$(now_ns)"
  stop_node
  stop_end="$(now_ns)"

  RESULT="$(( (ready - launch) / 1000000 )) $first $broker $node $used $committed ${jolokia:--} ${rss:--} $(( (stop_end - stop_begin) / 1000000 )) $steal"
}

row() {
  local run="$1" kind="$2" ready first broker node used committed jolokia rss stop steal
  read -r ready first broker node used committed jolokia rss stop steal <<<"$3"
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$run" "$kind" "$ready" "$first" "$broker" "$node" \
    "$((used / 1024))" "$((committed / 1024))" "$([ "$jolokia" = - ] && echo - || echo $((jolokia / 1024)))" \
    "$([ "$rss" = - ] && echo - || echo $((rss / 1024)))" "$stop" "$steal"
}

# stdin: one number per line; $1 = target (at most)
verdict() {
  sort -n | awk -v target="$1" '{ v[NR] = $1 } END {
    if (NR == 0) print "-"; else if (v[NR] <= target) print "met in every run";
    else if (v[1] <= target) print "met in some runs only"; else print "NOT met in any run" }'
}

summary() {
  # stdin: one number per line; prints "median (min – max)"
  sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) { print "-"; exit }
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%d (%d – %d)", m, v[1], v[NR] }'
}

log "measuring $RUNS cold start(s) and $RUNS restart(s) of $ROOT/dist/target/lib; logs in $LOGS"
fresh_ready=(); restart_ready=(); heaps=()
TABLE=""
for run in $(seq 1 "$RUNS"); do
  data="$WORK/data-$run"
  log "run $run: cold start on a new data dir"
  measure_start "$data" "$LOGS/run$run-cold.log" 1
  cold="$RESULT"
  log "  $cold"
  log "run $run: restart on the same data dir"
  measure_start "$data" "$LOGS/run$run-restart.log" 0
  warm="$RESULT"
  log "  $warm"
  TABLE+="$(row "$run" "new data dir" "$cold")"$'\n'"$(row "$run" "restart" "$warm")"$'\n'
  fresh_ready+=("${cold%% *}")
  restart_ready+=("${warm%% *}")
  heaps+=("$(awk '{print int($5 / 1024)}' <<<"$cold")" "$(awk '{print int($5 / 1024)}' <<<"$warm")")
  rm -rf "$data"
done

report="$(cat <<EOF
Cold start of \`$ROOT/dist/target/lib\`, $(date -u +%Y-%m-%dT%H:%M:%SZ)

- machine: $(nproc) CPUs (nproc), $(java -version 2>&1 | head -1), JAVA_OPTS='${JAVA_OPTS:-}', class archive: ${CDS_OPTS[*]:-none}
- launch: \`java \${JAVA_OPTS} -cp '<root>/dist/target/lib/*' $MAIN_CLASS\` from $ROOT, fresh temp HOMECONSOLE_DATA_DIR, free HTTP and Kafka ports, HOMECONSOLE_HTTP_HOST=127.0.0.1
- ready = launch of \`java\` to the first \`GET /ready\` answered 200 (polled every 50 ms); first log / node started = the log's timestamps relative to launch; broker = the broker's own "ready in N ms"
- steal = CPU time the hypervisor took from this VM while the start ran (a shared machine's noise)
- heap = after \`jcmd <pid> GC.run\`: used and committed from \`jcmd <pid> GC.heap_info\`, used again through Jolokia \`java.lang:type=Memory/HeapMemoryUsage\`; RSS from /proc

| run | data dir | ready ms | first log ms | broker ms | node started ms | heap used MB | heap committed MB | Jolokia used MB | RSS MB | stop ms | steal % |
|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${TABLE}
| | median (min – max) | |
|---|---|---|
| ready, new data dir (ms) | $(printf '%s\n' "${fresh_ready[@]}" | summary) | target ≤ 8000: $(printf '%s\n' "${fresh_ready[@]}" | verdict 8000) |
| ready, restart (ms) | $(printf '%s\n' "${restart_ready[@]}" | summary) | target ≤ 8000: $(printf '%s\n' "${restart_ready[@]}" | verdict 8000) |
| heap used after GC (MB) | $(printf '%s\n' "${heaps[@]}" | summary) | target ≤ 256: $(printf '%s\n' "${heaps[@]}" | verdict 256) |
EOF
)"
echo "$report"
if [ -n "$OUT" ]; then
  mkdir -p "$(dirname "$OUT")"
  echo "$report" >"$OUT"
fi
