# shellcheck shell=bash
# pglib.sh: drive a throw-away PostgreSQL cluster to produce real server logs.
#
# Source it from a bash script that runs `set -euo pipefail`. pg_setup
# unsets every PG* environment variable (except PG_*), so set PGTAIL_* after it.
#
#   . scripts/pglib.sh
#   pg_setup 'autovacuum = off'      # temp cluster, extra postgresql.conf lines
#   pg_start
#   pg_psql postgres postgres '' '' 'create role app_user login password $$pw$$'
#   pg_session_open s1 app_user production rails pw    # idle session, held open
#   pg_expect_fail app_user production rails wrong 'password authentication failed' 'password'
#   pg_session_close s1
#   pg_settle                          # the log agrees with the counters below
#   ...                                # $PG_LOG is the postmaster's stderr log
#
# The EXIT trap installed by pg_setup stops the server (pg_ctl stop -m immediate),
# kills every client it started (by pid) and removes the temp dir
# (set PG_KEEP_TMP=1 to keep it).
#
# PostgreSQL refuses to run as root: as root, initdb/pg_ctl run as the
# `postgres` OS user (runuser); as any other user, as that user. Either way
# with a clean environment. Clients (psql) run as the caller and talk to the
# server over a Unix socket in the temp dir only (listen_addresses='').
# pg_preflight checks all that up front (scripts/test.sh calls it first).
# Not as root, PostgreSQL must be installed (PG_BIN, or
# /usr/lib/postgresql/*/bin): only root can apt-get it.
#
# Bookkeeping, kept by every function here, for comparison with tools that read
# the log:
#   PG_CONNECTS      successful sessions ("connection authorized" not refused)
#   PG_DISCONNECTS   sessions that ended with a "disconnection:" line
#   PG_FAILURES      refused connection attempts (one FATAL each)
#   PG_FAIL_REASONS  assoc array: label -> count
#   PG_RESETS        server resets (fast restart, crash-and-reinitialise)
#   PG_S_*           open sessions (see pg_session_open); pg_open_sessions lists them
#
# Timing: every step waits for the server to write what it must write
# (pg_settle compares the log with the counters), so the log is complete when a
# function returns.

if [[ $(id -u) -eq 0 ]]; then
  PG_USER_OS=${PG_USER_OS:-postgres}
else
  PG_USER_OS=$(id -un)
fi
PG_MAX_CONNECTIONS=${PG_MAX_CONNECTIONS:-12}
PG_SUPERUSER_RESERVED=${PG_SUPERUSER_RESERVED:-2}
PG_CONNECTS=0
PG_DISCONNECTS=0
PG_FAILURES=0
PG_RESETS=0
PG_READY_LINES=0          # "database system is ready to accept connections" lines expected
declare -A PG_FAIL_REASONS=()
declare -A PG_S_STATE=() PG_S_USER=() PG_S_DB=() PG_S_APP=() PG_S_PSQL=() PG_S_KEEPER=() \
           PG_S_BPID=() PG_S_OUT=() PG_S_FIFO=() PG_S_PARENT=()
PG_S_ORDER=()             # session names in opening order
PG_TMP=''
PG_OUT=''                # output of the last pg_psql / pg_session_sql
PG_STARTED=0
PG_SERVERS=()             # servers saved by pg_save (several servers in one script)
PG_CURRENT=''
declare -A PG_SAVED=()

# Regex (ERE) for FATAL lines that refuse a connection attempt.
PG_REFUSAL_RE='FATAL:  (password authentication failed|.*authentication failed for user|no pg_hba\.conf entry|pg_hba\.conf rejects|database ".*" does not exist|role ".*" does not exist|role ".*" is not permitted to log in|sorry, too many clients already|remaining connection slots are reserved|too many connections for (role|database)|the database system is (starting up|shutting down|in recovery mode|not yet accepting connections|not accepting connections)|database ".*" is not currently accepting connections|permission denied for database)'

# What the server logs when it is ready, and after a crash: the e2e tests of a
# translated server (lc_messages) set them to the translations.
PG_TXT_READY=${PG_TXT_READY:-'database system is ready to accept connections'}
PG_TXT_REINIT=${PG_TXT_REINIT:-'all server processes terminated; reinitializing'}
# The server's own locale (its environment). With lc_messages in a language but
# LC_CTYPE C, the postmaster's messages are transliterated to ASCII (» becomes
# >>, ü becomes ?); a server that really runs in that language has it UTF-8.
PG_SERVER_LOCALE=${PG_SERVER_LOCALE:-C}

pg_info() { printf '[pglib] %s\n' "$*" >&2; }
pg_die() {
  printf '[pglib] ERROR: %s\n' "$*" >&2
  if [[ -n ${PG_LOG:-} && -f ${PG_LOG:-} ]]; then
    printf '[pglib] last lines of %s:\n' "$PG_LOG" >&2
    tail -n 25 "$PG_LOG" | sed 's/^/    /' >&2
  fi
  exit 1
}

# --- installation -----------------------------------------------------------

pg_find_bin() {
  if [[ -n ${PG_BIN:-} && -x ${PG_BIN}/initdb ]]; then return 0; fi
  if [[ -x /usr/lib/postgresql/15/bin/initdb ]]; then PG_BIN=/usr/lib/postgresql/15/bin; return 0; fi
  local d best=''
  for d in /usr/lib/postgresql/*/bin; do
    [[ -x $d/initdb ]] && best=$d
  done
  [[ -n $best ]] || return 1
  PG_BIN=$best
}

# pg_preflight: can the real-server tests run here? Says why not, at once.
# As root, a missing PostgreSQL is fine (pg_ensure_installed installs it).
pg_preflight() {
  if [[ $(id -u) -eq 0 ]]; then
    id "$PG_USER_OS" >/dev/null 2>&1 \
      || pg_die "OS user '$PG_USER_OS' does not exist (as root the server runs as it: create it, or set PG_USER_OS)"
    command -v runuser >/dev/null || pg_die "runuser not found (util-linux): as root the server runs via runuser"
    pg_find_bin || command -v apt-get >/dev/null \
      || pg_die "PostgreSQL not found under /usr/lib/postgresql and no apt-get to install it: set PG_BIN"
  else
    pg_find_bin || pg_die "PostgreSQL server binaries not found: install them (Debian: apt-get install postgresql) or set PG_BIN to the directory of initdb"
  fi
}

pg_ensure_installed() {
  pg_preflight
  if ! pg_find_bin; then
    pg_info "PostgreSQL not found, installing it with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2
    apt-get install -y postgresql-15 >&2 || apt-get install -y postgresql >&2 \
      || pg_die "could not install PostgreSQL"
    pg_find_bin || pg_die "PostgreSQL installed but no initdb found under /usr/lib/postgresql"
  fi
  PG_VERSION=$("$PG_BIN/postgres" --version | awk '{split($3, v, "."); print v[1]}')
}

# Run a server-side command as the postgres OS user, from the temp dir, with a
# clean environment (no PG* variables leak into the server, e.g. PGAPPNAME into dblink).
pg_as_postgres() {
  if [[ $(id -u) -eq 0 ]]; then
    (cd "$PG_TMP" && runuser -u "$PG_USER_OS" -- env -i PATH=/usr/bin:/bin LANG="$PG_SERVER_LOCALE" LC_ALL="$PG_SERVER_LOCALE" "$@")
  else
    (cd "$PG_TMP" && env -i PATH=/usr/bin:/bin LANG="$PG_SERVER_LOCALE" LC_ALL="$PG_SERVER_LOCALE" "$@")
  fi
}

# --- cluster lifecycle ----------------------------------------------------------

# pg_setup [postgresql.conf lines...]
pg_setup() {
  pg_ensure_installed
  # Nothing from the caller's environment may steer the clients.
  local v
  for v in $(compgen -e); do
    case $v in PG_*) ;; PG*) unset "$v" ;; esac
  done
  pg__new_server
  PG_TMP=$(mktemp -d "${TMPDIR:-/tmp}/pgtail-pg.XXXXXX")
  if ((${#PG_SERVERS[@]} > 0)); then trap pg_cleanup_all EXIT; else trap pg_cleanup EXIT; fi
  trap 'exit 130' INT
  trap 'exit 143' TERM
  chown "$PG_USER_OS": "$PG_TMP"
  chmod 0755 "$PG_TMP"
  mkdir -p "$PG_TMP/sess"        # client-side files
  PG_DATA=$PG_TMP/data
  PG_LOG=$PG_TMP/postgresql.log
  PG_EVENTS=$PG_TMP/events.tsv
  : >"$PG_EVENTS"
  PG_PORT=${PG_PORT:-$((5433 + $$ % 1000))}
  PG_SOCK=$PG_TMP
  pg_as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -A trust -E UTF8 --locale=C \
      --no-sync >"$PG_TMP/initdb.out" 2>&1 \
    || { cat "$PG_TMP/initdb.out" >&2; pg_die "initdb failed"; }
  {
    echo ''
    echo '# --- pglib.sh ---'
    echo "listen_addresses = ''"
    echo "port = $PG_PORT"
    echo "unix_socket_directories = '$PG_SOCK'"
    echo "max_connections = $PG_MAX_CONNECTIONS"
    echo "superuser_reserved_connections = $PG_SUPERUSER_RESERVED"
    echo "log_destination = 'stderr'"
    echo 'logging_collector = off'
    echo 'log_connections = on'
    echo 'log_disconnections = on'
    echo "log_line_prefix = '%m [%p] %q%u@%d '"
    echo "lc_messages = 'C'"
    echo "log_timezone = 'UTC'"
    echo "timezone = 'UTC'"
    echo "password_encryption = 'scram-sha-256'"
    echo 'shared_buffers = 16MB'
    echo 'fsync = off'
    local line
    for line in "$@"; do echo "$line"; done
  } >>"$PG_DATA/postgresql.conf"
  printf '%s\n' \
    '# TYPE  DATABASE  USER      METHOD' \
    'local   all       postgres  trust' \
    'local   all       all       scram-sha-256' >"$PG_DATA/pg_hba.conf"
  chown "$PG_USER_OS": "$PG_DATA/postgresql.conf" "$PG_DATA/pg_hba.conf"
  pg_info "cluster in $PG_TMP (PostgreSQL $PG_VERSION, socket $PG_SOCK port $PG_PORT)"
}

# PG_CTL_LOG: where pg_ctl -l sends the postmaster's stderr (default $PG_LOG).
# With logging_collector = on, set PG_LOG to the collector's stderr file after
# pg_setup and PG_CTL_LOG to another file.
pg_ctl_() { pg_as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "${PG_CTL_LOG:-$PG_LOG}" "$@"; }

pg_start() {
  pg_ctl_ -w -t 60 start >"$PG_TMP/pg_ctl.out" 2>&1 \
    || { cat "$PG_TMP/pg_ctl.out" >&2; pg_die "pg_ctl start failed"; }
  PG_STARTED=1
  PG_READY_LINES=$((PG_READY_LINES + 1))
  pg_wait_log_count "$PG_TXT_READY" "$PG_READY_LINES"
}

# pg_stop [mode]: stop the server (default fast; sessions are ended and forgotten)
pg_stop() {
  local mode=${1:-fast}
  ((PG_STARTED)) || return 0
  pg__server_gone "$([[ $mode == immediate ]] && echo silent || echo clean)"
  pg_ctl_ -w -t 60 -m "$mode" stop >"$PG_TMP/pg_ctl.out" 2>&1 \
    || { cat "$PG_TMP/pg_ctl.out" >&2; pg_die "pg_ctl stop failed"; }
  PG_STARTED=0
  pg__kill_dead_clients
}

# Fast restart: every open session gets "terminating connection due to
# administrator command" and a disconnection line; their clients are then killed.
pg_restart() {
  pg_info "restart -m fast with $(pg_open_count) open sessions"
  pg__server_gone clean
  pg_ctl_ -w -t 60 -m fast restart >"$PG_TMP/pg_ctl.out" 2>&1 \
    || { cat "$PG_TMP/pg_ctl.out" >&2; pg_die "pg_ctl restart failed"; }
  PG_RESETS=$((PG_RESETS + 1))
  PG_READY_LINES=$((PG_READY_LINES + 1))
  pg_wait_log_count "$PG_TXT_READY" "$PG_READY_LINES"
  pg__kill_dead_clients
  pg_settle
}

# pg_crash SESSION: kill -9 that session's backend. The postmaster kills every
# other backend (no disconnection lines), reinitialises and recovers.
pg_crash() {
  local name=$1 bpid
  bpid=${PG_S_BPID[$name]:-}
  [[ ${PG_S_STATE[$name]:-} == open && -n $bpid ]] || pg_die "pg_crash: no open session '$name'"
  pg_info "kill -9 backend $bpid (session $name) with $(pg_open_count) open sessions"
  local n_reinit
  n_reinit=$(pg_log_count "$PG_TXT_REINIT")
  pg__server_gone silent
  kill -9 "$bpid"
  PG_RESETS=$((PG_RESETS + 1))
  pg_wait_log_count "$PG_TXT_REINIT" $((n_reinit + 1))
  PG_READY_LINES=$((PG_READY_LINES + 1))
  pg_wait_log_count "$PG_TXT_READY" "$PG_READY_LINES"
  pg__kill_dead_clients
}

# pg_isready_check: the server accepts connections (pg_isready as the trusted
# superuser completes a real session, so it is counted as one).
pg_isready_check() {
  local i
  for i in $(seq 1 100); do
    if "$PG_BIN/pg_isready" -q -h "$PG_SOCK" -p "$PG_PORT" -U postgres -d postgres; then
      pg__count connect postgres postgres; pg__count disconnect postgres postgres
      pg_settle
      return 0
    fi
    sleep 0.1
  done
  pg_die "server does not accept connections (pg_isready)"
}

# Sessions are gone on the server side. mode=clean: each logged a disconnection.
pg__server_gone() {
  local mode=$1 n
  for n in "${PG_S_ORDER[@]}"; do
    [[ ${PG_S_STATE[$n]} == open ]] || continue
    PG_S_STATE[$n]=dead
    [[ $mode == clean ]] && pg__count disconnect "${PG_S_DB[$n]}" "${PG_S_USER[$n]}"
  done
  return 0
}

pg__kill_dead_clients() {
  local n
  for n in "${PG_S_ORDER[@]}"; do
    [[ ${PG_S_STATE[$n]} == dead ]] || continue
    pg__end_client "$n"
    PG_S_STATE[$n]=closed
  done
}

pg_cleanup() {
  local rc=$?
  set +e
  local n p
  for n in "${PG_S_ORDER[@]}"; do
    for p in ${PG_S_KEEPER[$n]:-} ${PG_S_PSQL[$n]:-}; do
      kill "$p" 2>/dev/null
    done
  done
  if [[ -n $PG_TMP && -d $PG_TMP/data ]] && ((PG_STARTED)); then
    pg_ctl_ -w -t 30 -m immediate stop >/dev/null 2>&1
  fi
  wait 2>/dev/null
  if [[ -n $PG_TMP && -d $PG_TMP ]]; then
    if [[ ${PG_KEEP_TMP:-0} == 1 ]]; then
      pg_info "kept $PG_TMP"
    else
      rm -rf "$PG_TMP"
    fi
  fi
  exit "$rc"
}

# --- log inspection ---------------------------------------------------------------

pg_log_count() { grep -cF -- "$1" "$PG_LOG" || true; }

# pg_wait_log_count FIXED_STRING N [timeout_s]: wait until the log has N lines with it
pg_wait_log_count() {
  local s=$1 want=$2 t=${3:-30} i have
  for ((i = 0; i < t * 50; i++)); do
    have=$(pg_log_count "$s")
    ((have >= want)) && { ((have == want)) || pg_die "log has $have lines with '$s', expected $want"; return 0; }
    sleep 0.02
  done
  pg_die "timeout waiting for $want log lines with '$s' (have $have)"
}

# PG_DISCONNECT_RE: how a disconnection line looks (override for another log_line_prefix).
PG_DISCONNECT_RE=${PG_DISCONNECT_RE:-'^[0-9-]+ [0-9:.]+ [A-Z]+ \[[0-9]+\] .*LOG:  disconnection: session time: '}
pg_log_disconnects() { grep -cE "$PG_DISCONNECT_RE" "$PG_LOG" || true; }
pg_log_failures() { grep -cE "$PG_REFUSAL_RE" "$PG_LOG" || true; }
# pg_settle: wait until the log shows exactly the disconnections and failures
# counted so far (the server logs a disconnection after the client has gone).
pg_settle() {
  local i d f
  for ((i = 0; i < 500; i++)); do
    d=$(pg_log_disconnects); f=$(pg_log_failures)
    ((d == PG_DISCONNECTS && f == PG_FAILURES)) && return 0
    ((d > PG_DISCONNECTS || f > PG_FAILURES)) && break
    sleep 0.02
  done
  pg_die "log disagrees with the script: disconnection lines $d (expected $PG_DISCONNECTS), refusals $f (expected $PG_FAILURES)"
}

# --- counting -----------------------------------------------------------------------

# pg__count connect|disconnect|failure DB USER: count an event, and record it in
# $PG_EVENTS (kind<TAB>db<TAB>user) so that per-database/per-user totals can be
# computed (pg_event_tally).
pg__count() {
  case $1 in
    connect) PG_CONNECTS=$((PG_CONNECTS + 1)) ;;
    disconnect) PG_DISCONNECTS=$((PG_DISCONNECTS + 1)) ;;
    failure) PG_FAILURES=$((PG_FAILURES + 1)) ;;
    *) pg_die "pg__count: bad kind $1" ;;
  esac
  printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$PG_EVENTS"
}

# pg_event_tally [DB] [USER]: "connects N", "disconnects N", "failures N" lines
# for the events the script caused (optionally only those of DB and/or USER).
pg_event_tally() {
  awk -F'\t' -v dbf="${1:-}" -v uf="${2:-}" '
    (dbf == "" || $2 == dbf) && (uf == "" || $3 == uf) { n[$1]++ }
    END { printf "connects %d\ndisconnects %d\nfailures %d\n", n["connect"], n["disconnect"], n["failure"] }' "$PG_EVENTS"
}

# pg_log_tally [DB] [USER]: the same numbers read from the server log, using the
# %u@%d of log_line_prefix. connects = "connection authorized" lines not followed
# by a refusal FATAL from the same pid.
pg_log_tally() {
  awk -v re="$PG_REFUSAL_RE" -v dbf="${1:-}" -v uf="${2:-}" '
    match($0, /^[0-9-]+ [0-9:.]+ [A-Z]+ \[[0-9]+\] [^ ]*@[^ ]* /) {
      head = substr($0, 1, RLENGTH - 1)
      pid = head; sub(/^[^[]*\[/, "", pid); sub(/\].*/, "", pid)
      ud = head; sub(/.*\] /, "", ud)
      at = index(ud, "@"); u = substr(ud, 1, at - 1); d = substr(ud, at + 1)
      if ((dbf != "" && d != dbf) || (uf != "" && u != uf)) next
      if ($0 ~ /LOG:  connection authorized: /) { c++; pending[pid] = 1; next }
      if ($0 ~ re) { f++; if (pid in pending) { c--; delete pending[pid] }; next }
      if ($0 ~ /LOG:  disconnection: session time: /) { dc++; delete pending[pid] }
    }
    END { printf "connects %d\ndisconnects %d\nfailures %d\n", c, dc, f }' "$PG_LOG"
}

# --- clients ----------------------------------------------------------------------

# pg__client_env APP PASSWORD -> sets array PG__ENV for `env`.
# APP '' means "psql's default": PGAPPNAME unset, psql sends its
# fallback_application_name `psql`. APP '-' means "no application name at all":
# PGAPPNAME set but empty; libpq then sends no application_name (checked on 15:
# the authorized line has no application_name= and pg_stat_activity shows '').
pg__client_env() {
  PG__ENV=(-u PGAPPNAME -u PGPASSWORD)
  if [[ $1 == - ]]; then PG__ENV+=("PGAPPNAME="); elif [[ -n $1 ]]; then PG__ENV+=("PGAPPNAME=$1"); fi
  [[ -n $2 ]] && PG__ENV+=("PGPASSWORD=$2")
  return 0
}

pg__psql_args() { # USER DB
  PG__ARGS=(-X -w -q -A -t -h "$PG_SOCK" -p "$PG_PORT" -U "$1" -d "$2")
}

# pg_psql USER DB APP PASSWORD SQL... : one short session (each SQL a separate -c);
# its output (unaligned, tuples only, tab-separated) is left in PG_OUT; dies on any
# error. Counted as one connect and one disconnect. Do not call it in $(...): the
# counters would be updated in a subshell only.
pg_psql() {
  local user=$1 db=$2 app=$3 pass=$4; shift 4
  local c cargs=() rc=0 out
  for c in "$@"; do cargs+=(-c "$c"); done
  pg__client_env "$app" "$pass"; pg__psql_args "$user" "$db"
  out=$(env "${PG__ENV[@]}" "$PG_BIN/psql" "${PG__ARGS[@]}" -v ON_ERROR_STOP=1 -F $'\t' "${cargs[@]}" 2>"$PG_TMP/sess/psql.err") || rc=$?
  if ((rc != 0)); then
    cat "$PG_TMP/sess/psql.err" >&2
    pg_die "psql as $user@$db failed (rc $rc)"
  fi
  pg__count connect "$db" "$user"; pg__count disconnect "$db" "$user"
  pg_settle
  PG_OUT=$out
}

# pg_e2e_roles DB...: the end-to-end tests' roles and databases. Login roles
# app_user, readonly, admin, batch (CONNECTION LIMIT 1) and nologin_role
# (NOLOGIN), with their passwords in P_APP, P_RO, P_ADMIN, P_BATCH, P_NOLOGIN;
# then the databases DB... (one query session, counted like pg_psql's).
pg_e2e_roles() {
  P_APP=app_pw P_RO=ro_pw P_ADMIN=admin_pw P_BATCH=batch_pw P_NOLOGIN=nologin_pw
  local db create=()
  for db in "$@"; do create+=("create database \"$db\""); done
  pg_psql postgres postgres '' '' \
    "create role app_user login password '$P_APP'" \
    "create role readonly login password '$P_RO'" \
    "create role admin login password '$P_ADMIN'" \
    "create role batch login connection limit 1 password '$P_BATCH'" \
    "create role nologin_role nologin password '$P_NOLOGIN'" \
    "${create[@]}"
}

# pg_expect_fail USER DB APP PASSWORD ERE LABEL: a connection attempt that must be
# refused with a FATAL whose text matches ERE.
pg_expect_fail() {
  local user=$1 db=$2 app=$3 pass=$4 re=$5 label=$6 rc=0 err
  pg__client_env "$app" "$pass"; pg__psql_args "$user" "$db"
  env "${PG__ENV[@]}" "$PG_BIN/psql" "${PG__ARGS[@]}" -c 'select 1' >/dev/null 2>"$PG_TMP/sess/psql.err" || rc=$?
  err=$(cat "$PG_TMP/sess/psql.err")
  if ((rc == 0)); then
    pg__count connect "$db" "$user"; pg__count disconnect "$db" "$user"
    pg_die "connection as $user@$db succeeded, expected refusal: $label"
  fi
  grep -qE -- "$re" <<<"$err" || pg_die "connection as $user@$db: expected error /$re/, got: $err"
  pg__count failure "$db" "$user"
  PG_FAIL_REASONS[$label]=$((${PG_FAIL_REASONS[$label]:-0} + 1))
  pg_settle
}

# pg_session_open NAME USER DB APP PASSWORD: an idle psql session held open in the
# background. APP: a name, '' for psql's default, '-' for none (pg__client_env).
# psql reads SQL from a FIFO whose write end a background `sleep` keeps open;
# killing that sleep gives psql EOF, so it ends the session cleanly.
# Records the backend pid in PG_S_BPID[NAME]. Close with pg_session_close.
pg_session_open() {
  local name=$1 user=$2 db=$3 app=$4 pass=${5:-}
  [[ -z ${PG_S_STATE[$name]:-} ]] || pg_die "session name '$name' already used"
  local fifo=$PG_TMP/sess/$name.in out=$PG_TMP/sess/$name.out
  mkfifo "$fifo"
  : >"$out"
  pg__client_env "$app" "$pass"; pg__psql_args "$user" "$db"
  env "${PG__ENV[@]}" "$PG_BIN/psql" "${PG__ARGS[@]}" -v ON_ERROR_STOP=0 <"$fifo" >"$out" 2>&1 &
  PG_S_PSQL[$name]=$!
  { printf 'select pg_backend_pid();\n\\echo __ready__\n'; exec sleep 100000; } >"$fifo" 2>/dev/null &
  PG_S_KEEPER[$name]=$!
  PG_S_ORDER+=("$name")
  PG_S_STATE[$name]=starting
  local rec_app=${app:-psql}
  [[ $app == - ]] && rec_app=''
  PG_S_USER[$name]=$user; PG_S_DB[$name]=$db; PG_S_APP[$name]=$rec_app
  PG_S_OUT[$name]=$out; PG_S_FIFO[$name]=$fifo; PG_S_PARENT[$name]=''
  local i
  for ((i = 0; i < 1000; i++)); do
    if grep -qx '__ready__' "$out"; then
      PG_S_BPID[$name]=$(head -n 1 "$out")
      [[ ${PG_S_BPID[$name]} =~ ^[0-9]+$ ]] || pg_die "session $name: unexpected output: $(cat "$out")"
      PG_S_STATE[$name]=open
      pg__count connect "$db" "$user"
      return 0
    fi
    if ! kill -0 "${PG_S_PSQL[$name]}" 2>/dev/null; then
      PG_S_STATE[$name]=dead; pg__end_client "$name"; PG_S_STATE[$name]=closed
      pg_die "session $name ($user@$db) could not connect: $(cat "$out")"
    fi
    sleep 0.01
  done
  pg_die "session $name: timeout waiting for psql"
}

# pg_session_sql NAME SQL: run SQL in an open session; its output is left in PG_OUT.
pg_session_sql() {
  local name=$1 sql=$2 seq before i
  [[ ${PG_S_STATE[$name]:-} == open && -z ${PG_S_PARENT[$name]} ]] || pg_die "pg_session_sql: no open psql session '$name'"
  local out=${PG_S_OUT[$name]}
  seq=$(($(grep -c '^__done_' "$out" || true) + 1))
  before=$(wc -l <"$out")
  printf '%s\n\\echo __done_%d__\n' "$sql" "$seq" >"${PG_S_FIFO[$name]}"
  for ((i = 0; i < 1500; i++)); do
    if grep -qx "__done_${seq}__" "$out"; then
      PG_OUT=$(tail -n +"$((before + 1))" "$out" | grep -vx "__done_${seq}__" || true)
      return 0
    fi
    kill -0 "${PG_S_PSQL[$name]}" 2>/dev/null || pg_die "session $name: psql died: $(tail -n 5 "$out")"
    sleep 0.01
  done
  pg_die "session $name: timeout running SQL"
}

# pg_session_dblink PARENT NAME USER DB PASSWORD: from open session PARENT (its
# database must have the dblink extension), open a dblink connection. libpq inside
# the server sets no application_name, so the new session has none (the
# `connection authorized` line has no application_name=), like a psql session
# opened with APP '-'. It is recorded as session NAME with app '' and ends when its
# parent ends (or with pg_session_close NAME: dblink_disconnect).
pg_session_dblink() {
  local parent=$1 name=$2 user=$3 db=$4 pass=$5 res
  [[ -z ${PG_S_STATE[$name]:-} ]] || pg_die "session name '$name' already used"
  pg_session_sql "$parent" "select dblink_connect('$name', 'host=$PG_SOCK port=$PG_PORT dbname=$db user=$user password=$pass');"
  [[ $PG_OUT == OK ]] || pg_die "dblink_connect from $parent failed: $PG_OUT"
  pg_session_sql "$parent" "select * from dblink('$name', 'select pg_backend_pid()') as t(pid int);"
  [[ $PG_OUT =~ ^[0-9]+$ ]] || pg_die "dblink query failed: $PG_OUT"
  res=$PG_OUT
  PG_S_ORDER+=("$name")
  PG_S_STATE[$name]=open; PG_S_USER[$name]=$user; PG_S_DB[$name]=$db; PG_S_APP[$name]=''
  PG_S_BPID[$name]=$res; PG_S_PARENT[$name]=$parent
  pg__count connect "$db" "$user"
}

# Stop a session's client processes (keeper first: psql then sees EOF and exits).
pg__end_client() {
  local name=$1 p
  [[ -n ${PG_S_PARENT[$name]} ]] && return 0
  for p in ${PG_S_KEEPER[$name]:-}; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  p=${PG_S_PSQL[$name]:-}
  if [[ -n $p ]]; then
    local i
    for ((i = 0; i < 500; i++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.01; done
    kill "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  fi
  PG_S_KEEPER[$name]=''; PG_S_PSQL[$name]=''
}

# pg_session_close NAME: end the session cleanly (its dblink children end too).
pg_session_close() {
  local name=$1 n
  [[ ${PG_S_STATE[$name]:-} == open ]] || pg_die "pg_session_close: session '$name' is not open"
  if [[ -n ${PG_S_PARENT[$name]} ]]; then
    pg_session_sql "${PG_S_PARENT[$name]}" "select dblink_disconnect('$name');"
    [[ $PG_OUT == OK ]] || pg_die "dblink_disconnect $name: $PG_OUT"
    PG_S_STATE[$name]=closed; pg__count disconnect "${PG_S_DB[$name]}" "${PG_S_USER[$name]}"
    pg_settle
    return 0
  fi
  for n in "${PG_S_ORDER[@]}"; do
    if [[ ${PG_S_PARENT[$n]} == "$name" && ${PG_S_STATE[$n]} == open ]]; then
      PG_S_STATE[$n]=closed; pg__count disconnect "${PG_S_DB[$n]}" "${PG_S_USER[$n]}"
    fi
  done
  pg__end_client "$name"
  PG_S_STATE[$name]=closed; pg__count disconnect "${PG_S_DB[$name]}" "${PG_S_USER[$name]}"
  pg_settle
}

pg_session_close_all() {
  local n
  for n in "${PG_S_ORDER[@]}"; do
    [[ ${PG_S_STATE[$n]} == open && -z ${PG_S_PARENT[$n]} ]] && pg_session_close "$n"
  done
  return 0
}

pg_open_sessions() {
  local n
  for n in "${PG_S_ORDER[@]}"; do [[ ${PG_S_STATE[$n]} == open ]] && echo "$n"; done
  return 0
}
pg_open_count() { pg_open_sessions | wc -l; }

# pg_expected_groups: one line per open session: db<TAB>user<TAB>app ('' -> unknown)
pg_expected_groups() {
  local n
  for n in $(pg_open_sessions); do
    printf '%s\t%s\t%s\n' "${PG_S_DB[$n]}" "${PG_S_USER[$n]}" "${PG_S_APP[$n]:-unknown}"
  done
}

# pg_check_open_count: the server's client backends (pg_stat_activity, without the
# asking session) are exactly the sessions this library believes open.
pg_check_open_count() {
  pg_psql postgres postgres '' '' \
    "select count(*) from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()"
  local want
  want=$(pg_open_count)
  [[ $PG_OUT == "$want" ]] || pg_die "server has $PG_OUT client sessions, script expects $want"
}

# --- several servers in one script ---------------------------------------------------
#
# The functions above drive one server through global variables. To drive
# several, set each up in turn and save its variables under a name; pg_use NAME
# makes that server the current one (saving the current one first):
#
#   pg_setup; pg_start; pg_save a
#   PG_PORT=$((PG_PORT + 1)) pg_setup; pg_start; pg_save b
#   trap pg_cleanup_all EXIT
#   pg_use a; pg_psql ...; pg_use b; ...
PG_SERVER_VARS=(PG_TMP PG_DATA PG_LOG PG_CTL_LOG PG_EVENTS PG_PORT PG_SOCK PG_STARTED
  PG_CONNECTS PG_DISCONNECTS PG_FAILURES PG_RESETS PG_READY_LINES PG_FAIL_REASONS
  PG_S_STATE PG_S_USER PG_S_DB PG_S_APP PG_S_PSQL PG_S_KEEPER PG_S_BPID PG_S_OUT PG_S_FIFO
  PG_S_PARENT PG_S_ORDER)

# pg__new_server: the bookkeeping of a server not set up yet (pg_setup).
pg__new_server() {
  PG_CURRENT=''
  PG_CONNECTS=0 PG_DISCONNECTS=0 PG_FAILURES=0 PG_RESETS=0 PG_READY_LINES=0 PG_STARTED=0
  PG_FAIL_REASONS=() PG_S_STATE=() PG_S_USER=() PG_S_DB=() PG_S_APP=() PG_S_PSQL=() PG_S_KEEPER=()
  PG_S_BPID=() PG_S_OUT=() PG_S_FIFO=() PG_S_PARENT=() PG_S_ORDER=()
}

# pg_save NAME: remember the current server's variables as NAME.
pg_save() {
  PG_CTL_LOG=${PG_CTL_LOG:-$PG_LOG}
  PG_SAVED[$1]=$(declare -p "${PG_SERVER_VARS[@]}" | sed -E 's/^declare -(-|[a-zA-Z]+) /declare -g\1 /; s/^declare -g- /declare -g /')
  [[ " ${PG_SERVERS[*]} " == *" $1 "* ]] || PG_SERVERS+=("$1")
  PG_CURRENT=$1
}

# pg_use NAME: save the current server, make NAME the current one.
pg_use() {
  [[ -n ${PG_SAVED[$1]:-} ]] || pg_die "pg_use: no server '$1'"
  [[ -n $PG_CURRENT ]] && pg_save "$PG_CURRENT"
  eval "${PG_SAVED[$1]}"
  PG_CURRENT=$1
}

# pg_cleanup_all: pg_cleanup for every saved server (as an EXIT trap).
pg_cleanup_all() {
  local rc=$? s
  set +e
  [[ -n $PG_CURRENT ]] && pg_save "$PG_CURRENT"
  for s in "${PG_SERVERS[@]}"; do
    (eval "${PG_SAVED[$s]}"; pg_cleanup) >/dev/null 2>&1
  done
  # A server set up but not saved yet.
  [[ -z $PG_CURRENT && -n $PG_TMP ]] && (pg_cleanup) >/dev/null 2>&1
  exit "$rc"
}

# step TITLE: a progress line. check LABEL GOT WANT: one row of an e2e
# script's result table; FAILS and CHECKS count the rows.
step() { printf '\n== %s\n' "$*" >&2; }
FAILS=0 CHECKS=0
check() {
  CHECKS=$((CHECKS + 1))
  local status=OK
  [[ $2 == "$3" ]] || { status=MISMATCH; FAILS=$((FAILS + 1)); }
  printf '%-52s %14s %14s  %s\n' "$1" "$2" "$3" "$status"
}

# pg_e2e_result NAME COUNT WHAT: an e2e script's last line ("NAME: COUNT
# WHAT, N mismatches, S s"); on a mismatch the server log is kept and the
# script exits 1. START is the script's start (SECONDS).
pg_e2e_result() {
  printf '\n%s: %d %s, %d mismatches, %d s\n' "$1" "$2" "$3" "$FAILS" $((SECONDS - ${START:-0}))
  if ((FAILS > 0)); then
    local kept
    kept=$(mktemp "${TMPDIR:-/tmp}/pgtail-$1-failed.XXXXXX.log")
    cp "$PG_LOG" "$kept"
    echo "$1: FAIL (server log kept in $kept)" >&2
    exit 1
  fi
}
