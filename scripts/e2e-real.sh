#!/usr/bin/env bash
# e2e-real.sh PGTAIL_BINARY: run a real PostgreSQL server with a scripted
# connection workload and check `pgtail connections` against pg_stat_activity
# and against the script's own count of what it did.
#
#   go build -o /tmp/pgtail . && scripts/e2e-real.sh /tmp/pgtail
#
# Runs as any user (as root the server runs as the `postgres` OS user via
# runuser, otherwise as the current user) and needs PostgreSQL 15 (as root
# installed with apt-get when initdb is missing; see pg_preflight). Exit 0 when every
# number agrees, 1 on any mismatch or failure. Takes about 10 s.
#
# Workload (log_line_prefix '%m [%p] %q%u@%d ', the Debian default):
#   databases production, analytics; login roles app_user, readonly, admin,
#   batch (CONNECTION LIMIT 1); nologin_role (NOLOGIN); superuser postgres.
#   Applications rails, sidekiq, "PostgreSQL JDBC Driver", psql, and none at all
#   (pgtail's `unknown`, pg_stat_activity's ''). psql sends PGAPPNAME, or when
#   PGAPPNAME is unset its fallback_application_name "psql"; with PGAPPNAME set
#   but empty libpq sends no application_name at all (checked on 15: the
#   "connection authorized" line then has no application_name=). Sessions
#   without a name are opened both that way and with dblink from inside the
#   server (dblink's libpq connection sets no application_name either).
#   1. idle sessions across dbs/users/apps, some closed again;
#   2. refused logins: wrong password, unknown role, missing database, NOLOGIN
#      role, role connection limit;
#   3. slots: fill to max_connections - superuser_reserved_connections with
#      ordinary roles ("remaining connection slots are reserved ..."), then to
#      max_connections with the superuser ("sorry, too many clients already");
#   4. pg_ctl restart -m fast with sessions open (each logs a disconnection);
#   5. kill -9 of one backend with sessions open (crash and reinitialise: no
#      disconnection lines), wait for the server (log line, then pg_isready);
#   6. final sessions left open, then compare.
#
# PG_LANG=de_DE.UTF-8 (any locale the server has a catalog for) runs the same
# workload on a server with lc_messages in that language, plus three more
# refusals (too many connections for a database, no CONNECT privilege, a
# database not accepting connections) and two pg_hba ones (reject, no entry for
# a replication connection). The script's own counts and pg_stat_activity are
# the reference; the raw-log column (an English grep) is left out, and the
# texts it waits for come from the server's own catalog (scripts/gencatalog
# -print). scripts/e2e-lang.sh runs it for German and Russian.
set -euo pipefail

usage() { echo "usage: $0 PGTAIL_BINARY" >&2; exit 1; }
[[ $# -eq 1 ]] || usage
PGTAIL=$1
[[ -x $PGTAIL && -f $PGTAIL ]] || { echo "e2e-real: not an executable file: $PGTAIL" >&2; exit 1; }
PGTAIL=$(realpath "$PGTAIL")

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/pglib.sh
. "$HERE/pglib.sh"

START=$SECONDS

step "cluster${PG_LANG:+ (lc_messages = $PG_LANG)}"
LANG_CODE=${PG_LANG:-}
LANG_CODE=${LANG_CODE%%.*}
LANG_CODE=${LANG_CODE%%_*}
[[ $LANG_CODE == zh ]] && LANG_CODE=zh_CN
# tr MSGID...: the server's text of each message, one a line (English without PG_LANG).
tr_msg() {
  if [[ -z ${PG_LANG:-} ]]; then printf '%s\n' "$@"; return; fi
  # With no MSGID: the whole table (role, msgid, text).
  "$PG_TMP/gencatalog" -po "$HERE/../testdata/catalog" -print "$LANG_CODE" "$@"
}
# refusal MSGID ARG...: an ERE for the server's text of that refusal.
refusal() {
  local text a
  text=$(tr_msg "$1"); shift
  text=$(sed 's/[][\.*^$(){}?+|/]/\\&/g' <<<"$text")
  for a in "$@"; do text=${text/\%s/$a}; done
  printf '%s' "${text//%s/.*}"
}
if [[ -n ${PG_LANG:-} ]]; then
  PG_SERVER_LOCALE=$PG_LANG
  pg_setup "lc_messages = '$PG_LANG'"
  (cd "$HERE/.." && go build -o "$PG_TMP/gencatalog" ./scripts/gencatalog)
  # Two pg_hba refusals: an explicit reject, and no line for physical replication.
  sed -i '/^local   all       all/i local   all       hba_rejected  reject' "$PG_DATA/pg_hba.conf"
  mapfile -t T < <(tr_msg LOG FATAL 'database system is ready to accept connections' \
    'all server processes terminated; reinitializing' \
    'disconnection: session time: %d:%02d:%02d.%03d user=%s database=%s host=%s%s%s')
  PG_TXT_READY=${T[2]} PG_TXT_REINIT=${T[3]}
  DISC_HEAD="${T[0]}:  ${T[4]%%%*}"
  pg_log_disconnects() { grep -cF -- "$DISC_HEAD" "$PG_LOG" || true; }
  # Refusals: the FATAL word, then the start of a refusal text of the catalog.
  tr_msg |
    awk -F'\t' -v f="${T[1]}:  " '$1 == "Fatal" { t = $3; sub(/%.*/, "", t); if (t != "") print f t }' >"$PG_TMP/refusals.txt"
  pg_log_failures() { grep -cF -f "$PG_TMP/refusals.txt" "$PG_LOG" || true; }
else
  pg_setup  # no extra postgresql.conf settings
fi
pg_start
# pgtail records its statistics in a state file: keep it out of the caller's home.
export PGTAIL_STATE=$PG_TMP/sess/pgtail-state # sess: the caller's, not the server user's
export XDG_STATE_HOME=$PG_TMP/xdg-state
export NO_COLOR=1

JDBC='PostgreSQL JDBC Driver'
pg_e2e_roles production analytics
pg_psql postgres production '' '' "create extension dblink"
pg_psql postgres analytics '' '' "create extension dblink"

step "1. idle sessions"
pg_session_open a1 app_user production rails "$P_APP"
pg_session_open a2 app_user production rails "$P_APP"
pg_session_open a3 app_user production sidekiq "$P_APP"
pg_session_open a4 readonly analytics "$JDBC" "$P_RO"
pg_session_open a5 admin analytics '' "$P_ADMIN"
pg_session_open a6 readonly production rails "$P_RO"
pg_session_open a7 batch analytics sidekiq "$P_BATCH"
pg_session_open a8 readonly analytics - "$P_RO"
pg_session_close a2
pg_session_close a6

step "2. refused logins"
pg_expect_fail app_user production rails wrong_pw "$(refusal 'password authentication failed for user "%s"' app_user)" 'wrong password'
pg_expect_fail ghost production rails some_pw "$(refusal 'password authentication failed for user "%s"' ghost)" 'unknown role'
pg_expect_fail readonly nosuchdb '' "$P_RO" "$(refusal 'database "%s" does not exist' nosuchdb)" 'missing database'
pg_expect_fail nologin_role production '' "$P_NOLOGIN" "$(refusal 'role "%s" is not permitted to log in' nologin_role)" 'nologin'
pg_expect_fail batch production sidekiq "$P_BATCH" "$(refusal 'too many connections for role "%s"' batch)" 'role limit'

if [[ -n ${PG_LANG:-} ]]; then
  step "2b. more refusals: database limits and privileges, pg_hba"
  pg_psql postgres postgres '' '' \
    "create role hba_rejected login password '$P_RO'" \
    "create database limited connection limit 1" \
    "create database private" "revoke connect on database private from public" \
    "create database closed" "alter database closed allow_connections false"
  pg_session_open l1 readonly limited rails "$P_RO"
  pg_expect_fail app_user limited rails "$P_APP" "$(refusal 'too many connections for database "%s"' limited)" 'database limit'
  pg_session_close l1
  pg_expect_fail readonly private '' "$P_RO" "$(refusal 'permission denied for database "%s"' private)" 'no CONNECT privilege'
  pg_expect_fail readonly closed '' "$P_RO" "$(refusal 'database "%s" is not currently accepting connections' closed)" 'not accepting connections'
  pg_expect_fail hba_rejected production '' "$P_RO" "$(refusal 'pg_hba.conf rejects connection for host "%s", user "%s", database "%s", %s' '\[local\]' hba_rejected production)" 'pg_hba reject'
  pg_expect_fail readonly 'dbname=production replication=true' '' "$P_RO" "$(refusal 'no pg_hba.conf entry for replication connection from host "%s", user "%s", %s' '\[local\]' readonly)" 'no pg_hba entry'
fi

step "3. connection slots"
pg_check_open_count
ordinary=$((PG_MAX_CONNECTIONS - PG_SUPERUSER_RESERVED))
apps=(sidekiq rails "$JDBC")
i=0
while (($(pg_open_count) < ordinary)); do
  i=$((i + 1))
  pg_session_open "t$i" app_user analytics "${apps[i % 3]}" "$P_APP"
done
pg_expect_fail readonly analytics rails "$P_RO" "$(refusal 'remaining connection slots are reserved for non-replication superuser connections')" 'reserved slots'
j=0
while (($(pg_open_count) < PG_MAX_CONNECTIONS)); do
  j=$((j + 1))
  pg_session_open "su$j" postgres postgres '' ''
done
pg_expect_fail postgres postgres '' '' "$(refusal 'sorry, too many clients already')" 'too many clients (superuser)'
pg_expect_fail app_user production rails "$P_APP" "$(refusal 'sorry, too many clients already')" 'too many clients'
for ((k = 1; k <= i; k++)); do pg_session_close "t$k"; done
for ((k = 1; k <= j; k++)); do pg_session_close "su$k"; done
pg_check_open_count

step "4. restart -m fast with sessions open"
pg_restart
pg_check_open_count

step "5. crash (kill -9 of a backend) with sessions open"
pg_session_open b1 app_user production rails "$P_APP"
pg_session_open b2 readonly analytics "$JDBC" "$P_RO"
pg_session_open b3 postgres production '' ''
pg_session_dblink b3 bd1 readonly analytics "$P_RO"
pg_crash b1
pg_isready_check
pg_check_open_count

step "6. final sessions"
pg_session_open f1 app_user production rails "$P_APP"
pg_session_open f2 app_user production rails "$P_APP"
pg_session_open f3 app_user production sidekiq "$P_APP"
pg_session_open f4 app_user analytics sidekiq "$P_APP"
pg_session_open f5 readonly analytics "$JDBC" "$P_RO"
pg_session_open f6 readonly production "$JDBC" "$P_RO"
pg_session_open f7 admin production '' "$P_ADMIN"
pg_session_open f8 admin analytics rails "$P_ADMIN"
pg_session_close f8
pg_session_open f9 postgres production '' ''
pg_session_dblink f9 fd1 readonly analytics "$P_RO"
pg_session_dblink f9 fd2 app_user production "$P_APP"
pg_session_close fd2
pg_session_open f10 readonly production - "$P_RO"

step "7. compare"
# The query session is one more connect/disconnect (pg_psql counts it and waits
# for its disconnection line).
pg_psql postgres postgres '' '' \
  "select datname, usename, coalesce(application_name, ''), count(*)
     from pg_stat_activity
    where backend_type = 'client backend' and pid <> pg_backend_pid()
    group by 1, 2, 3 order by 1, 2, 3"
PSA=$PG_OUT
sleep 0.5
pg_settle
SNAP=$PG_TMP/snapshot.log
cp "$PG_LOG" "$SNAP"

# Script's own view of the open sessions: db<TAB>user<TAB>app<TAB>1
SCRIPT_GROUPS=$(pg_expected_groups | sed 's/$/\t1/')

# aggregate DBFILTER USERFILTER < db\tuser\tapp\tcount lines -> normalized lines
#   total\t\tN, db\tNAME\tN, user\tNAME\tN, app\tNAME\tN   ('' app -> unknown)
aggregate() {
  awk -F'\t' -v dbf="$1" -v uf="$2" '
    NF >= 4 {
      if (dbf != "" && $1 != dbf) next
      if (uf != "" && $2 != uf) next
      app = ($3 == "") ? "unknown" : $3
      t += $4; db[$1] += $4; us[$2] += $4; ap[app] += $4
    }
    END {
      print "total\t\t" t + 0
      for (k in db) print "db\t" k "\t" db[k]
      for (k in us) print "user\t" k "\t" us[k]
      for (k in ap) print "app\t" k "\t" ap[k]
    }'
}

# parse_pgtail HEADER_PREFIX < pgtail output -> the same normalized lines, plus
# connects/disconnects/failures, and "bad\t<line>" for lines that do not parse.
# (Peak and Saturated lines are checked by e2e-peak.sh, not here.)
parse_pgtail() {
  awk -v hp="$1" -v none='' -f "$HERE/summary-rows.awk" | grep -Ev '^(peak|saturated)'$'\t' || true
}

FAILS=0
CHECKS=0
TABLE=''
row() { TABLE+=$(printf '%-44s %8s %10s %8s %8s  %s' "$@")$'\n'; }

# compare TITLE PGTAIL_NORM PSA_NORM SCRIPT_NORM RAW_NORM [SKIP_SECTION]
compare() {
  local title=$1 pt=$2 psa=$3 sc=$4 raw=$5 skip=${6:-}
  TABLE+=$'\n'"$title"$'\n'
  local keys kind name vp vs vc vr status
  keys=$(printf '%s\n%s\n%s\n%s\n' "$pt" "$psa" "$sc" "$raw" | awk -F'\t' 'NF >= 3 && $1 != "bad" { print $1 "\t" $2 }' |
    awk -F'\t' '{ o = ($1 == "total") ? 0 : ($1 == "db") ? 1 : ($1 == "user") ? 2 : ($1 == "app") ? 3 : 4; print o "\t" $0 }' |
    sort -t$'\t' -k1,1n -k2,2 -k3,3 -u | cut -f2-)
  while IFS=$'\t' read -r kind name; do
    [[ -n $kind ]] || continue
    vp=$(lookup "$pt" "$kind" "$name"); vs=$(lookup "$psa" "$kind" "$name")
    vc=$(lookup "$sc" "$kind" "$name"); vr=$(lookup "$raw" "$kind" "$name")
    # A section the filter leaves out must be absent from pgtail's output.
    if [[ -n $skip && $kind == "$skip" ]]; then
      vs='-'; vc='-'; vr='-'
      [[ $vp == '-' ]] && continue
    fi
    # A dimension missing in pg_stat_activity/script means "no sessions" only for group rows.
    status=OK
    local v ref=''
    for v in "$vp" "$vs" "$vc" "$vr"; do
      [[ $v == '-' ]] && continue
      if [[ -z $ref ]]; then ref=$v; elif [[ $v != "$ref" ]]; then status=MISMATCH; fi
    done
    if [[ $vp == '-' || ( $kind =~ ^(total|db|user|app)$ && $vs == '-' && $skip != "$kind" ) ]]; then status=MISMATCH; fi
    [[ -n $skip && $kind == "$skip" ]] && status='MISMATCH (section should be left out)'
    CHECKS=$((CHECKS + 1))
    [[ $status == OK ]] || FAILS=$((FAILS + 1))
    local label=$kind
    case $kind in
      total) label="Active connections" ;;
      db) label="  db    $name" ;;
      user) label="  user  $name" ;;
      app) label="  app   $name" ;;
      connects) label="Session totals: connects" ;;
      disconnects) label="Session totals: disconnects" ;;
      failures) label="Connection failures" ;;
      ended) label="Session totals: ended by server $name" ;;
    esac
    row "$label" "$vp" "$vs" "$vc" "$vr" "$status"
  done <<<"$keys"
  # The log starts with the server: the totals add up to the active count
  # (connects - disconnects - ended by resets = active).
  local sum
  sum=$(awk -F'\t' '$1 == "total" { a = $3 } $1 == "connects" { c = $3; f = 1 } $1 == "disconnects" { d = $3 } $1 == "ended" { e += $3 }
    END { if (f) print c - d - e "\t" a }' <<<"$pt")
  if [[ -n $sum ]]; then
    CHECKS=$((CHECKS + 1))
    status=OK
    [[ ${sum%%$'\t'*} == "${sum#*$'\t'}" ]] || { status=MISMATCH; FAILS=$((FAILS + 1)); }
    row "connects - disconnects - ended = active" "${sum%%$'\t'*}" "-" "-" "${sum#*$'\t'}" "$status"
  fi
  local bad
  bad=$(awk -F'\t' '$1 == "bad" { print "    " $2 }' <<<"$pt")
  if [[ -n $bad ]]; then
    FAILS=$((FAILS + 1))
    TABLE+="  MISMATCH: pgtail lines not in the expected format:"$'\n'"$bad"$'\n'
  fi
}

lookup() { # NORM KIND NAME -> value or -
  awk -F'\t' -v k="$2" -v n="$3" '$1 == k && $2 == n { v = $3; f = 1 } END { print f ? v : "-" }' <<<"$1"
}

# run_pgtail NAME ARGS...: output in PT_OUT; a non-zero exit is a failure
run_pgtail() {
  local name=$1 rc=0; shift
  PT_OUT=$(timeout 30 "$PGTAIL" connections "$@" <"$SNAP" 2>"$PG_TMP/pgtail.$name.err") || rc=$?
  local shown=''
  (($# == 0)) || shown=" $*"
  printf '\n$ pgtail connections%s < postgresql.log\n' "$shown"
  printf '%s\n' "$PT_OUT" | sed 's/^/    /'
  if [[ -s $PG_TMP/pgtail.$name.err ]]; then sed 's/^/    stderr: /' "$PG_TMP/pgtail.$name.err"; fi
  if ((rc != 0)); then
    printf '    MISMATCH: pgtail exited with %d\n' "$rc"
    FAILS=$((FAILS + 1))
  fi
}

# "connects N" lines (pg_event_tally, pg_log_tally) -> normalized lines
tally_norm() { awk '{ print $1 "\t\t" $2 }'; }
# raw_tally [DB] [USER]: pg_log_tally, which reads English; nothing with PG_LANG.
raw_tally() { [[ -n ${PG_LANG:-} ]] || pg_log_tally "$@" | tally_norm; }

# Unfiltered summary
run_pgtail all
compare "pgtail connections" \
  "$(parse_pgtail 'Active connections' <<<"$PT_OUT")" \
  "$(aggregate '' '' <<<"$PSA")" \
  "$(aggregate '' '' <<<"$SCRIPT_GROUPS"; pg_event_tally | tally_norm)" \
  "$(raw_tally)"

# Filtered views
run_pgtail db --db=production
compare "pgtail connections --db=production" \
  "$(parse_pgtail "Active connections to 'production'" <<<"$PT_OUT")" \
  "$(aggregate production '' <<<"$PSA")" \
  "$(aggregate production '' <<<"$SCRIPT_GROUPS"; pg_event_tally production '' | tally_norm)" \
  "$(raw_tally production '')" db

run_pgtail user --user=app_user
compare "pgtail connections --user=app_user" \
  "$(parse_pgtail "Active connections for user 'app_user'" <<<"$PT_OUT")" \
  "$(aggregate '' app_user <<<"$PSA")" \
  "$(aggregate '' app_user <<<"$SCRIPT_GROUPS"; pg_event_tally '' app_user | tally_norm)" \
  "$(raw_tally '' app_user)" user

printf '\npg_stat_activity (datname, usename, application_name, count):\n'
printf '%s\n' "$PSA" | sed 's/^/    /'
printf '\nRefused logins caused by the script:'
for k in $(printf '%s\n' "${!PG_FAIL_REASONS[@]}" | sort | tr ' ' '\001'); do
  k=${k//$'\001'/ }; printf ' [%s: %s]' "$k" "${PG_FAIL_REASONS[$k]}"
done
printf '\nServer resets: %s (1 fast restart, 1 crash)\n' "$PG_RESETS"

printf '\n%-44s %8s %10s %8s %8s  %s\n' check pgtail pg_stat_a. script raw-log result
printf '%s' "$TABLE"

step "8. close everything, stop the server"
pg_session_close_all
pg_check_open_count
pg_stop fast
# After a clean shutdown the whole log must show no open session.
SNAP=$PG_TMP/final.log
cp "$PG_LOG" "$SNAP"
run_pgtail final
TABLE=''
compare "pgtail connections (after closing everything and stopping the server)" \
  "$(parse_pgtail 'Active connections' <<<"$PT_OUT" | grep -E '^(total|connects|disconnects|ended|failures|bad)')" \
  "$(printf 'total\t\t0\n')" \
  "$(printf 'total\t\t0\n'; pg_event_tally | tally_norm)" \
  "$(raw_tally)"
printf '\n%-44s %8s %10s %8s %8s  %s\n' check pgtail pg_stat_a. script raw-log result
printf '%s' "$TABLE"

pg_e2e_result e2e-real "$CHECKS" checks
echo "e2e-real: PASS"
