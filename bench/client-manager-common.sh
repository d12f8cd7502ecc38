# Shared by bench/client-manager-idle.sh and bench/client-manager-commands.sh (sourced, not run): build what is
# missing, run one benchmark main with a time limit, and stop every process it started on any exit.

cm_bench_build() {
  if [ "${BENCH_BUILD:-0}" = 1 ] || ! ls bench/target/lib/homeconsole-agent-*.jar >/dev/null 2>&1 \
      || [ ! -d bench/target/classes/org/homeconsole/bench/clientmanager ] || [ ! -d dist/target/lib ]; then
    echo "client-manager bench: building bench/ and dist/ (./mvnw -q -B package -Dmaven.test.skip -pl bench,dist -am)" >&2
    ./mvnw -q -B package -Dmaven.test.skip -pl bench,dist -am
  fi
  local tool
  for tool in java jcmd; do
    command -v "$tool" >/dev/null 2>&1 || { echo "client-manager bench: $tool not found (a JDK is needed)" >&2; exit 1; }
  done
}

# The benchmark JVM appends the pid of every process it starts to $CM_BENCH_PIDS; on exit the benchmark stops them
# itself (a shutdown hook), and this trap stops whatever is left (e.g. when the benchmark JVM was killed).
CM_BENCH_PIDS=""
CM_BENCH_JAVA=""

cm_bench_cleanup() {
  local pid waited
  if [ -n "$CM_BENCH_JAVA" ] && kill -0 "$CM_BENCH_JAVA" 2>/dev/null; then
    kill -TERM "$CM_BENCH_JAVA" 2>/dev/null || true
    waited=0
    while kill -0 "$CM_BENCH_JAVA" 2>/dev/null && [ "$waited" -lt 450 ]; do sleep 0.1; waited=$((waited + 1)); done
    kill -KILL "$CM_BENCH_JAVA" 2>/dev/null || true
  fi
  if [ -n "$CM_BENCH_PIDS" ] && [ -f "$CM_BENCH_PIDS" ]; then
    while read -r pid; do
      [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && kill -TERM "$pid" 2>/dev/null || true
    done <"$CM_BENCH_PIDS"
    sleep 1
    while read -r pid; do
      if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        waited=0
        while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 300 ]; do sleep 0.1; waited=$((waited + 1)); done
        kill -KILL "$pid" 2>/dev/null || true
      fi
    done <"$CM_BENCH_PIDS"
    rm -f "$CM_BENCH_PIDS"
  fi
}

cm_bench_run() {
  local main="$1"
  shift
  CM_BENCH_PIDS="$(mktemp "${TMPDIR:-/tmp}/cm-bench-pids.XXXXXX")"
  trap cm_bench_cleanup EXIT
  trap 'exit 130' INT TERM
  # shellcheck disable=SC2086
  BENCH_PIDS_FILE="$CM_BENCH_PIDS" timeout "${BENCH_TIMEOUT:-1800}" java ${BENCH_JAVA_OPTS:--Xms1g -Xmx1g} \
    -cp "bench/target/classes:bench/target/lib/*" "$main" --root="$ROOT" "$@" &
  CM_BENCH_JAVA=$!
  local rc=0
  wait "$CM_BENCH_JAVA" || rc=$?
  CM_BENCH_JAVA=""
  return "$rc"
}
