#!/usr/bin/env bash
# e2e-formats.sh PGTAIL_BINARY: the same connection workload against real
# PostgreSQL servers that log in every format pgtail reads, then check that
# `pgtail connections` reports identical numbers for every log, equal to
# pg_stat_activity and to the script's own bookkeeping.
#
#   go build -o bin/pgtail . && scripts/e2e-formats.sh bin/pgtail
#
# Configurations (one throw-away cluster each, see pglib.sh):
#   collector  logging_collector=on, log_destination='stderr,csvlog,jsonlog',
#              log_line_prefix '%m [%p] %q%u@%d ' (the Debian default, with %q):
#              three logs of one server: .log, .csv, .json
#   padded     stderr, '%t [%5p]: [%l-1] user=%-12u,db=%-12d,app=%a,client=%h '
#   sessionid  stderr, Azure's '%t-%c-' (no %p: the PID comes from %c)
#   nopid      stderr, '%m %q%u@%d ' (no PID at all: counts are estimated from
#              connects minus disconnects per database and user, so the
#              applications are not compared; totals, databases, users and
#              the peak are)
#   nopidbare  stderr, '%m ' (no PID and no names in the prefix: a refusal
#              after authorization is matched by the name its message quotes)
# pgtail reads each log twice: auto-detected, and with --format/--prefix given.
# Exit 0 when every number agrees, 1 otherwise. Takes about a minute.
set -euo pipefail

[[ $# -eq 1 ]] || { echo "usage: $0 PGTAIL_BINARY" >&2; exit 1; }
PGTAIL=$(realpath "$1")
[[ -x $PGTAIL && -f $PGTAIL ]] || { echo "e2e-formats: not an executable file: $1" >&2; exit 1; }
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$(mktemp -d "${TMPDIR:-/tmp}/pgtail-formats.XXXXXX")
trap 'rm -rf "$OUT"' EXIT
START=$SECONDS
export NO_COLOR=1 PGTAIL_STATE=$OUT/pgtail-state XDG_STATE_HOME=$OUT/xdg

# workload: sessions across databases, users and applications; refused logins
# before and after "connection authorized"; full slots; a fast restart and a
# crash with sessions open; then sessions left open for the comparison.
workload() {
  local P_APP P_RO P_ADMIN P_BATCH P_NOLOGIN JDBC='PostgreSQL JDBC Driver'
  pg_e2e_roles production 'my db'
  pg_psql postgres production '' '' "create extension dblink"

  pg_session_open a1 app_user production rails "$P_APP"
  pg_session_open a2 app_user production rails "$P_APP"
  pg_session_open a3 app_user production sidekiq "$P_APP"
  pg_session_open a4 readonly 'my db' "$JDBC" "$P_RO"
  pg_session_open a5 admin 'my db' '' "$P_ADMIN"
  pg_session_open a7 batch 'my db' sidekiq "$P_BATCH"
  pg_session_close a2

  pg_expect_fail app_user production rails wrong_pw 'password authentication failed for user "app_user"' 'wrong password'
  pg_expect_fail ghost production rails some_pw 'password authentication failed for user "ghost"' 'unknown role'
  pg_expect_fail readonly nosuchdb '' "$P_RO" 'database "nosuchdb" does not exist' 'missing database'
  pg_expect_fail nologin_role production '' "$P_NOLOGIN" 'role "nologin_role" is not permitted to log in' 'nologin'
  pg_expect_fail batch production sidekiq "$P_BATCH" 'too many connections for role "batch"' 'role limit'

  local ordinary=$((PG_MAX_CONNECTIONS - PG_SUPERUSER_RESERVED)) i=0 j=0 k
  while (($(pg_open_count) < ordinary)); do
    i=$((i + 1)); pg_session_open "t$i" app_user 'my db' sidekiq "$P_APP"
  done
  pg_expect_fail readonly 'my db' rails "$P_RO" 'remaining connection slots are reserved' 'reserved slots'
  while (($(pg_open_count) < PG_MAX_CONNECTIONS)); do
    j=$((j + 1)); pg_session_open "su$j" postgres postgres '' ''
  done
  pg_expect_fail app_user production rails "$P_APP" 'sorry, too many clients already' 'too many clients'
  for ((k = 1; k <= i; k++)); do pg_session_close "t$k"; done
  for ((k = 1; k <= j; k++)); do pg_session_close "su$k"; done

  pg_restart
  pg_session_open b1 app_user production rails "$P_APP"
  pg_session_open b2 readonly 'my db' "$JDBC" "$P_RO"
  pg_session_open b3 postgres production '' ''
  pg_session_dblink b3 bd1 readonly production "$P_RO"
  pg_crash b1
  pg_isready_check

  pg_session_open f1 app_user production rails "$P_APP"
  pg_session_open f2 app_user production rails "$P_APP"
  pg_session_open f3 app_user production sidekiq "$P_APP"
  pg_session_open f5 readonly 'my db' "$JDBC" "$P_RO"
  pg_session_open f7 admin production '' "$P_ADMIN"
  pg_session_open f8 admin 'my db' rails "$P_ADMIN"
  pg_session_close f8
  pg_session_open f9 postgres production '' ''
  pg_session_dblink f9 fd1 readonly production "$P_RO"
  pg_check_open_count
}

# one_config NAME PREFIX COLLECTOR(0|1): run the workload on a fresh cluster;
# leaves the logs, pg_stat_activity and the script's counts in $OUT/NAME/.
one_config() (
  [[ -n ${E2E_FORMATS_KEEP:-} ]] && export PG_KEEP_TMP=1
  local name=$1 prefix=$2 collector=$3 dir=$OUT/$1
  mkdir -p "$dir"
  # shellcheck source=scripts/pglib.sh
  . "$HERE/pglib.sh"
  if ((collector)); then
    pg_setup "log_line_prefix = '$prefix'" "logging_collector = on" \
      "log_destination = 'stderr,csvlog,jsonlog'" "log_directory = 'log'" \
      "log_filename = 'postgresql.log'" "log_rotation_age = 0" "log_rotation_size = 0"
    PG_CTL_LOG=$PG_TMP/pg_ctl.log
    PG_LOG=$PG_DATA/log/postgresql.log
  else
    pg_setup "log_line_prefix = '$prefix'"
    PG_DISCONNECT_RE='LOG:  disconnection: session time: '
  fi
  pg_start
  workload >&2
  pg_psql postgres postgres '' '' \
    "select datname, usename, coalesce(application_name, ''), count(*)
       from pg_stat_activity
      where backend_type = 'client backend' and pid <> pg_backend_pid()
      group by 1, 2, 3 order by 1, 2, 3"
  printf '%s\n' "$PG_OUT" >"$dir/psa.tsv"
  pg_settle
  printf 'connects\t-\t%s\ndisconnects\t-\t%s\nfailures\t-\t%s\n' "$PG_CONNECTS" "$PG_DISCONNECTS" "$PG_FAILURES" >"$dir/script.tsv"
  if ((collector)); then
    # The collector writes the three destinations separately: wait until
    # the csv and json files hold every disconnection too.
    local f n want i
    want=$(grep -c 'disconnection: session time: ' "$PG_LOG")
    for f in csv json; do
      for ((i = 0; i < 250; i++)); do
        n=$(grep -c 'disconnection: session time: ' "$PG_DATA/log/postgresql.$f" || true)
        ((n == want)) && break
        sleep 0.02
      done
      cp "$PG_DATA/log/postgresql.$f" "$dir/postgresql.$f"
    done
  fi
  cp "$PG_LOG" "$dir/postgresql.log"
)

pgtail_norm() { # pgtail output -> kind<TAB>name<TAB>value lines
  awk -v hp='Active connections' -v none='-' -f "$HERE/summary-rows.awk"
}

psa_norm() { # db<TAB>user<TAB>app<TAB>count -> the same lines
  awk -F'\t' 'NF >= 4 {
      app = ($3 == "") ? "unknown" : $3
      t += $4; db[$1] += $4; us[$2] += $4; ap[app] += $4 }
    END { print "total\t-\t" t + 0
      for (k in db) print "db\t" k "\t" db[k]
      for (k in us) print "user\t" k "\t" us[k]
      for (k in ap) print "app\t" k "\t" ap[k] }'
}

COLS=() # column names
declare -A VAL=() # "col|kind|name" -> value
FAILS=0
add_col() { # NAME < normalized lines
  COLS+=("$1")
  local kind name v
  while IFS=$'\t' read -r kind name v; do
    [[ -n $kind ]] || continue
    if [[ $kind == bad ]]; then
      echo "MISMATCH: $1: unexpected pgtail output: $name" >&2; FAILS=$((FAILS + 1)); continue
    fi
    VAL["$1|$kind|$name"]=$v
  done
}

run_pgtail() { # COLUMN LOG ARGS...
  local col=$1 log=$2 rc=0 out; shift 2
  out=$(timeout 30 "$PGTAIL" connections "$@" "$log" 2>"$OUT/stderr.txt") || rc=$?
  if ((rc != 0)); then echo "MISMATCH: $col: pgtail exited $rc" >&2; FAILS=$((FAILS + 1)); fi
  if [[ -s $OUT/stderr.txt ]]; then sed "s/^/  [$col stderr] /" "$OUT/stderr.txt" >&2; fi
  add_col "$col" < <(pgtail_norm <<<"$out")
  # The whole summary, failure reasons included, must be the same text for every log.
  # (Times of the peak and saturation differ between servers: left out.)
  printf '%s\n' "$out" | sed -E 's/^(Peak: [0-9]+ active|Saturated: [0-9]+ connections?).*/\1/' >"$OUT/summary.$((${#COLS[@]}))"
  if [[ -z ${FIRST_SUMMARY:-} ]]; then
    FIRST_SUMMARY=$OUT/summary.${#COLS[@]}; FIRST_COL=$col
    printf '\n$ pgtail connections %s\n%s\n' "$FIRST_COL" "$out"
  elif ! diff -u "$FIRST_SUMMARY" "$OUT/summary.${#COLS[@]}" >&2; then
    echo "MISMATCH: the summary of '$col' differs from '$FIRST_COL'" >&2; FAILS=$((FAILS + 1))
  fi
}

echo "== collector: stderr + csvlog + jsonlog" >&2
one_config collector '%m [%p] %q%u@%d ' 1
echo "== padded prefix" >&2
one_config padded '%t [%5p]: [%l-1] user=%-12u,db=%-12d,app=%a,client=%h ' 0
echo "== session id, no %p" >&2
one_config sessionid '%t-%c-' 0
echo "== no pid" >&2
one_config nopid '%m %q%u@%d ' 0
echo "== no pid, no names in the prefix" >&2
one_config nopidbare '%m ' 0

C=$OUT/collector
add_col "pg_stat_activity" < <(psa_norm <"$C/psa.tsv")
add_col "script" <"$C/script.tsv"
run_pgtail "stderr" "$C/postgresql.log"
run_pgtail "stderr --prefix" "$C/postgresql.log" --format=stderr --prefix='%m [%p] %q%u@%d '
run_pgtail "csvlog" "$C/postgresql.csv"
run_pgtail "csvlog --format" "$C/postgresql.csv" --format=csvlog
run_pgtail "jsonlog" "$C/postgresql.json"
run_pgtail "jsonlog --format" "$C/postgresql.json" --format=jsonlog
run_pgtail "padded --prefix" "$OUT/padded/postgresql.log" --prefix='%t [%5p]: [%l-1] user=%-12u,db=%-12d,app=%a,client=%h '
run_pgtail "padded auto" "$OUT/padded/postgresql.log"
run_pgtail "%t-%c- auto" "$OUT/sessionid/postgresql.log"
run_pgtail "%t-%c- --prefix" "$OUT/sessionid/postgresql.log" --prefix='%t-%c-'
run_pgtail "nopid auto" "$OUT/nopid/postgresql.log"
run_pgtail "nopid --prefix" "$OUT/nopid/postgresql.log" --prefix='%m %q%u@%d '
run_pgtail "nopid '%m ' auto" "$OUT/nopidbare/postgresql.log"
run_pgtail "nopid '%m ' --prefix" "$OUT/nopidbare/postgresql.log" --prefix='%m '

# Every run has the same pg_stat_activity and script counts (same workload).
for n in padded sessionid nopid nopidbare; do
  if ! diff -q <(psa_norm <"$C/psa.tsv" | sort) <(psa_norm <"$OUT/$n/psa.tsv" | sort) >/dev/null ||
     ! diff -q "$C/script.tsv" "$OUT/$n/script.tsv" >/dev/null; then
    echo "MISMATCH: the $n run ended with other sessions than the collector run" >&2; FAILS=$((FAILS + 1))
  fi
done

# The cross-format table: one row per number, one column per log.
rows=$(for k in "${!VAL[@]}"; do IFS='|' read -r _ kind name <<<"$k"; printf '%s\t%s\n' "$kind" "$name"; done |
  awk -F'\t' '{ o = ($1 == "total") ? 0 : ($1 == "db") ? 1 : ($1 == "user") ? 2 : ($1 == "app") ? 3 : ($1 == "connects") ? 4 : ($1 == "disconnects") ? 5 : ($1 == "failures") ? 6 : ($1 == "peak") ? 7 : 8; print o "\t" $0 }' |
  sort -t$'\t' -k1,1n -k3,3 -u | cut -f2-)
printf '\n%-28s' "" ; for c in "${COLS[@]}"; do printf ' %*s' "$((${#c} > 6 ? ${#c} : 6))" "$c"; done; printf '  result\n'
while IFS=$'\t' read -r kind name; do
  label="$kind $name"; [[ $name == - ]] && label=$kind; [[ $kind == total ]] && label="Active connections"
  printf '%-28s' "$label"
  ref='' status=OK
  for c in "${COLS[@]}"; do
    v=${VAL["$c|$kind|$name"]:--}
    printf ' %*s' "$((${#c} > 6 ? ${#c} : 6))" "$v"
    # No PID: applications are estimates, not compared (see the header).
    if [[ $c == nopid* && $kind == app ]]; then continue; fi
    if [[ $c == script && $kind != connects && $kind != disconnects && $kind != failures ]]; then continue; fi
    if [[ $c == pg_stat_activity && $kind =~ ^(connects|disconnects|failures|peak|saturated|ended)$ ]]; then continue; fi
    if [[ -z $ref ]]; then ref=$v; elif [[ $v != "$ref" ]]; then status=MISMATCH; fi
  done
  [[ $status == OK ]] || FAILS=$((FAILS + 1))
  printf '  %s\n' "$status"
done <<<"$rows"

printf '\ne2e-formats: %d mismatches, %d s\n' "$FAILS" $((SECONDS - START))
((FAILS == 0))
