#!/usr/bin/env bash
# e2e-fleet.sh PGTAIL_BINARY: a fleet, for real. Two PostgreSQL servers, one
# `pgtail connections --follow … --listen …` per server, and a real Prometheus
# server (the Debian package) scraping both every second with the alerting
# rules of scripts/deploy. Through Prometheus' HTTP API it checks that
# sum(pgtail_sessions_open) equals both servers' client backends in
# pg_stat_activity and that the refusals this script caused appear in
# pgtail_connection_failures_total by category, and that the saturation alert
# fires. Then it rotates server a's log (logging_collector on, pg_rotate_logfile():
# pgtail follows the log directory) and truncates server b's (copytruncate-style:
# pgtail follows the file), makes more traffic, and checks again.
#
#   go build -o /tmp/pgtail . && sudo scripts/e2e-fleet.sh /tmp/pgtail
#
# Everything runs on 127.0.0.1 and Unix sockets in temp dirs; every server,
# pgtail and Prometheus started here is stopped on exit. Exit 0 when every
# number agrees.
set -euo pipefail

[[ $# -eq 1 ]] || { echo "usage: $0 PGTAIL_BINARY" >&2; exit 1; }
PGTAIL=$(realpath "$1")
[[ -x $PGTAIL ]] || { echo "e2e-fleet: not executable: $PGTAIL" >&2; exit 1; }
for c in prometheus promtool curl jq; do
  command -v "$c" >/dev/null || { echo "e2e-fleet: needs $c (apt-get install prometheus curl jq)" >&2; exit 1; }
done

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/pglib.sh
. "$HERE/pglib.sh"

# step and check (one result row; FAILS counts mismatches) come from pglib.sh.

FLEET=$(mktemp -d "${TMPDIR:-/tmp}/pgtail-fleet.XXXXXX")
PIDS=()
fleet_cleanup() {
  local rc=$? p
  set +e
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  if ((rc != 0)); then
    for p in "$FLEET"/*.err; do [[ -s $p ]] && { echo "--- $p" >&2; tail -n 20 "$p" >&2; }; done
  fi
  rm -rf "$FLEET"
  (exit "$rc")
  pg_cleanup_all
}

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# --- two servers ------------------------------------------------------------------

step "server a: logging_collector on, a log directory rotated by the server"
PG_PORT=$((5433 + $$ % 1000))
pg_setup 'logging_collector = on' "log_directory = 'log'" "log_filename = 'postgresql-%Y-%m-%d_%H%M%S.log'" \
  'log_rotation_age = 0' 'log_rotation_size = 0'
trap fleet_cleanup EXIT
PG_CTL_LOG=$PG_TMP/pg_ctl.log # the postmaster's stderr, before the collector takes over
PG_LOG=$PG_CTL_LOG
PG_READY_LINES=-1 # "ready to accept connections" goes to the collector's file, not there
pg_start
PG_READY_LINES=0
# collector_file: the file current_logfiles names, once it names one other than $1.
collector_file() {
  local i f
  for ((i = 0; i < 500; i++)); do
    f=$(awk '$1 == "stderr" { print $2 }' "$PG_DATA/current_logfiles" 2>/dev/null || true)
    [[ -n $f && $PG_DATA/$f != "${1:-}" && -f $PG_DATA/$f ]] && { echo "$PG_DATA/$f"; return 0; }
    sleep 0.02
  done
  pg_die "current_logfiles names no new log file"
}
PG_LOG=$(collector_file)
PG_READY_LINES=1
pg_wait_log_count 'database system is ready to accept connections' 1
pg_psql postgres postgres '' '' "create role app_user login password 'pw'" "create database production"
A_DIR=$PG_DATA/log
pg_save a

step "server b: stderr to a file (pg_ctl -l), truncated like logrotate's copytruncate"
PG_PORT=$((PG_PORT + 1)) PG_MAX_CONNECTIONS=5 PG_CTL_LOG=''
pg_setup
trap fleet_cleanup EXIT
pg_start
pg_psql postgres postgres '' '' "create role app_user login password 'pw'" "create database production"
B_LOG=$PG_LOG
pg_save b

# --- one pgtail per server, one Prometheus ------------------------------------------

step "pgtail --follow --listen, one per server"
PA=$(free_port) PB=$(free_port) PP=$(free_port)
PGTAIL_STATE=$FLEET/a.json "$PGTAIL" connections --follow "$A_DIR" --listen "127.0.0.1:$PA" >"$FLEET/a.out" 2>"$FLEET/a.err" &
PIDS+=($!)
PGTAIL_STATE=$FLEET/b.json "$PGTAIL" connections --follow "$B_LOG" --listen "127.0.0.1:$PB" >"$FLEET/b.out" 2>"$FLEET/b.err" &
PIDS+=($!)

step "prometheus on 127.0.0.1:$PP, scraping both every second"
cp "$HERE/deploy/pgtail-alerts.yml" "$FLEET/"
cat >"$FLEET/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [pgtail-alerts.yml]
scrape_configs:
  - job_name: pgtail
    static_configs:
      - targets: ["127.0.0.1:$PA"]
        labels: {server: a}
      - targets: ["127.0.0.1:$PB"]
        labels: {server: b}
EOF
promtool check config "$FLEET/prometheus.yml" >/dev/null
prometheus --config.file="$FLEET/prometheus.yml" --storage.tsdb.path="$FLEET/tsdb" \
  --web.listen-address="127.0.0.1:$PP" --log.level=warn >"$FLEET/prometheus.out" 2>"$FLEET/prometheus.err" &
PIDS+=($!)

# promq QUERY: the result of an instant query, one "labels value" line per
# series (labels as k=v,k=v without __name__), sorted; "empty" for none.
promq() {
  curl -fsS --get "http://127.0.0.1:$PP/api/v1/query" --data-urlencode "query=$1" |
    jq -r '.data.result | if length == 0 then "empty" else
      (.[] | ([.metric | to_entries[] | select(.key != "__name__") | "\(.key)=\(.value)"] | join(",")) + " " + .value[1]) end' |
    sed 's/^ //' | sort
}
# wait_prom QUERY WANT: wait until the query answers WANT twice in a row, a
# second apart (Prometheus scraped since the last change); then print it.
wait_prom() {
  local q=$1 want=$2 got='' same=0 i
  for ((i = 0; i < 60; i++)); do
    got=$(promq "$q" 2>/dev/null || echo error)
    if [[ $got == "$want" ]]; then
      ((++same >= 2)) && break
    else
      same=0
    fi
    sleep 1
  done
  printf '%s\n' "$got"
}
# pgtail_metric PORT SERIES: a value straight from a pgtail's /metrics.
pgtail_metric() { curl -fsS "http://127.0.0.1:$1/metrics" | awk -v s="$2" '$1 == s { print $2 }'; }
wait_pgtail_metric() { # PORT SERIES WANT
  local i got=''
  for ((i = 0; i < 100; i++)); do
    got=$(pgtail_metric "$1" "$2" || true)
    [[ $got == "$3" ]] && break
    sleep 0.1
  done
  printf '%s\n' "$got"
}

step "both targets up"
check "up (both targets)" "$(wait_prom 'sum(up{job="pgtail"})' 2)" 2

# client_backends NAME: the client backends of server NAME (the asking session
# not counted), as pg_stat_activity has them.
client_backends() {
  pg_use "$1"
  pg_psql postgres postgres '' '' \
    "select count(*) from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()"
  echo "$PG_OUT" >"$FLEET/count"
}

# compare LABEL: Prometheus against both servers, and against the failures caused.
declare -A WANT_FAIL=()
compare() {
  local a b sum want_f=''
  client_backends a; a=$(cat "$FLEET/count")
  client_backends b; b=$(cat "$FLEET/count")
  sum=$(wait_prom 'sum(pgtail_sessions_open)' $((a + b)))
  printf '%s: pg_stat_activity client backends: a=%s b=%s; Prometheus sum(pgtail_sessions_open) = %s\n' "$1" "$a" "$b" "$sum"
  check "$1: sum(pgtail_sessions_open) = client backends a+b" "$sum" $((a + b))
  check "$1: server a: sum(pgtail_sessions_open{server=\"a\"})" \
    "$(wait_prom 'sum(pgtail_sessions_open{server="a"})' "$a")" "$a"
  check "$1: server b: sum(pgtail_sessions_open{server=\"b\"})" \
    "$(wait_prom 'sum(pgtail_sessions_open{server="b"})' "$b")" "$b"
  local k
  for k in $(printf '%s\n' "${!WANT_FAIL[@]}" | sort); do
    want_f+="category=${k#*:},server=${k%%:*} ${WANT_FAIL[$k]}"$'\n'
  done
  want_f=$(printf '%s' "$want_f" | sort)
  local got_f
  got_f=$(wait_prom 'sum by (server, category) (pgtail_connection_failures_total) > 0' "$want_f")
  printf '%s: Prometheus sum by (server, category) (pgtail_connection_failures_total) > 0:\n%s\n' "$1" "$got_f"
  check "$1: failures by server and category" "$(echo "$got_f" | md5sum | cut -c1-8)" "$(echo "$want_f" | md5sum | cut -c1-8)"
}

# --- traffic, and the refusals the fleet must see -------------------------------------

step "traffic: sessions on both servers, refused logins, server b saturated"
pg_use a
pg_session_open a1 app_user production rails pw
pg_session_open a2 app_user production sidekiq pw
pg_session_open a3 postgres postgres psql ''
pg_expect_fail app_user production rails wrong 'password authentication failed' password
pg_expect_fail app_user production rails wrong 'password authentication failed' password
WANT_FAIL[a:authentication_failed]=2
pg_use b
pg_expect_fail app_user nosuchdb rails pw 'database "nosuchdb" does not exist' nodb
WANT_FAIL[b:database_does_not_exist]=1
pg_session_open b1 app_user production rails pw
pg_session_open b2 app_user production rails pw
pg_session_open b3 app_user production etl pw
pg_expect_fail app_user production rails pw 'remaining connection slots are reserved' reserved
WANT_FAIL[b:reserved_slots]=1
pg_session_open b4 postgres postgres psql ''
pg_session_open b5 postgres postgres psql ''
pg_expect_fail app_user production rails pw 'sorry, too many clients already' saturated
WANT_FAIL[b:too_many_connections]=1
pg_session_close b5

step "check: Prometheus against pg_stat_activity"
compare before

step "the saturation alert fires for server b"
alerts() { curl -fsS "http://127.0.0.1:$PP/api/v1/alerts" | jq -r '.data.alerts[] | "\(.labels.alertname) \(.labels.server) \(.state)"' | sort; }
for ((i = 0; i < 30; i++)); do
  alerts | grep -qx 'PostgresConnectionSaturation b firing' && break
  sleep 1
done
check "alert PostgresConnectionSaturation{server=b}" "$(alerts | grep -c '^PostgresConnectionSaturation b firing$' || true)" 1

# --- rotation and truncation ---------------------------------------------------------

step "server a rotates its log (pg_rotate_logfile()): pgtail moves to the new file"
pg_use a
old=$PG_LOG
pg_session_sql a3 'select pg_rotate_logfile();'
PG_LOG=$(collector_file "$old")
pg_info "rotated: $old -> $PG_LOG"
# pglib counts what the current log file holds: the new one starts empty.
PG_CONNECTS=0 PG_DISCONNECTS=0 PG_FAILURES=0 PG_READY_LINES=0
check "server a: pgtail reopened the log directory's next file" \
  "$(wait_pgtail_metric "$PA" "pgtail_follow_reopened_total{path=\"$A_DIR\",reason=\"rotated\"}" 1)" 1

step "server b's log is truncated (copytruncate): pgtail reads it again from its start"
pg_use b
cp "$PG_LOG" "$FLEET/b-rotated.log"
truncate -s 0 "$PG_LOG"
PG_CONNECTS=0 PG_DISCONNECTS=0 PG_FAILURES=0 PG_READY_LINES=0
check "server b: pgtail saw the truncation" \
  "$(wait_pgtail_metric "$PB" "pgtail_follow_reopened_total{path=\"$B_LOG\",reason=\"truncated\"}" 1)" 1

step "more traffic after rotation and truncation"
pg_use a
pg_session_close a1
pg_session_open a4 app_user production reports pw
pg_session_open a5 app_user production reports pw
pg_expect_fail app_user production rails wrong 'password authentication failed' password
WANT_FAIL[a:authentication_failed]=3
pg_use b
pg_session_close b1
pg_session_close b4
pg_expect_fail app_user nosuchdb rails pw 'database "nosuchdb" does not exist' nodb
pg_session_open b6 app_user production etl pw
WANT_FAIL[b:database_does_not_exist]=2

step "check again: the numbers stay right"
compare after

step "a real scrape passes promtool check metrics"
curl -fsS "http://127.0.0.1:$PA/metrics" >"$FLEET/scrape-a.txt"
if promtool check metrics <"$FLEET/scrape-a.txt" >"$FLEET/promtool.out" 2>&1; then
  check "promtool check metrics (a real scrape of pgtail)" ok ok
else
  cat "$FLEET/promtool.out"
  check "promtool check metrics (a real scrape of pgtail)" failed ok
fi

step "pgtail's own summary at the end (SIGINT) agrees"
pg_use a
pg_session_close_all
pg_use b
pg_session_close_all
client_backends a; a=$(cat "$FLEET/count")
client_backends b; b=$(cat "$FLEET/count")
check "sum(pgtail_sessions_open) with every test session closed" "$(wait_prom 'sum(pgtail_sessions_open)' $((a + b)))" $((a + b))
kill -INT "${PIDS[0]}" "${PIDS[1]}"
wait "${PIDS[0]}" "${PIDS[1]}"
check "server a: pgtail summary after Ctrl+C" "$(head -n 1 "$FLEET/a.out")" "Active connections: $a"
check "server b: pgtail summary after Ctrl+C" "$(head -n 1 "$FLEET/b.out")" "Active connections: $b"

echo
if ((FAILS > 0)); then
  echo "e2e-fleet: $FAILS check(s) failed" >&2
  exit 1
fi
echo "e2e-fleet: all checks passed"
