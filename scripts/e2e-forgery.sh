#!/usr/bin/env bash
# e2e-forgery.sh PGTAIL_BINARY: forged log lines from client-chosen names,
# against a real PostgreSQL server.
#
#   go build -o /tmp/pgtail . && sudo scripts/e2e-forgery.sh /tmp/pgtail
#
# PostgreSQL writes the user and database names of a startup packet into the
# stderr log unescaped: in the prefix (%u@%d, Debian's '%m [%p] %q%u@%d ') and
# quoted in messages (a message's newlines become "\n\t"). A client that only
# has to fail a login can put a newline and a whole fake log line into them. The
# attacks below (psql with PGUSER/PGDATABASE holding such names) forge a server
# restart, a shutdown, the ready line, phantom "connection authorized" lines,
# the disconnection of a live session's PID, "too many clients" and a time
# stamp in the year 9999, through the user name, the database name, names
# ending in a newline, and names quoted in messages (password authentication,
# database does not exist, pg_hba.conf rejects, a name with a quote).
#
# pgtail must count every attack as the failure it was (with its real,
# newline-containing name), and its active count must equal pg_stat_activity's
# client backends, its totals what the script did. Forged lines carry time
# stamps of 1999 or 9999, so that pglib's own log checks (pg_settle) count the
# server's lines only. Needs root, PostgreSQL 15 and jq. Exit 0 when every
# number agrees.
set -euo pipefail

usage() { echo "usage: $0 PGTAIL_BINARY" >&2; exit 1; }
[[ $# -eq 1 ]] || usage
PGTAIL=$(realpath "$1")
[[ -x $PGTAIL && -f $PGTAIL ]] || { echo "e2e-forgery: not an executable file: $1" >&2; exit 1; }
command -v jq >/dev/null || { echo "e2e-forgery: needs jq" >&2; exit 1; }

# The server's own lines start with this century's date; forged ones do not.
PG_DISCONNECT_RE='^20[0-9][0-9]-[0-9-]+ [0-9:.]+ [A-Z]+ \[[0-9]+\] [^ ]+ LOG:  disconnection: session time: '
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/pglib.sh
. "$HERE/pglib.sh"
PG_REFUSAL_RE="^20[0-9][0-9]-[0-9-]+ [0-9:.]+ [A-Z]+ \\[[0-9]+\\] [^ ]+ $PG_REFUSAL_RE"

START=$SECONDS
FAILS=0
step() { printf '\n== %s\n' "$*" >&2; }
check() { # LABEL GOT WANT
  local st=OK
  [[ $2 == "$3" ]] || { st=MISMATCH; FAILS=$((FAILS + 1)); }
  printf '  %-58s %10s %10s  %s\n' "$1" "$2" "$3" "$st"
}

step "cluster"
pg_setup
printf '%s\n' 'local   nohba     all       reject' >"$PG_TMP/hba"
cat "$PG_DATA/pg_hba.conf" >>"$PG_TMP/hba"
cp "$PG_TMP/hba" "$PG_DATA/pg_hba.conf"
chown "$PG_USER_OS": "$PG_DATA/pg_hba.conf"
pg_start
export PGTAIL_STATE=$PG_TMP/sess/pgtail-state XDG_STATE_HOME=$PG_TMP/sess/xdg-state NO_COLOR=1  # sess/ is root's

pg_e2e_roles production analytics p
pg_psql postgres postgres '' '' "create role a login password 'a_pw'"

step "real sessions"
pg_session_open s1 app_user production rails "$P_APP"
pg_session_open s2 a p psql a_pw
pg_session_open s3 readonly analytics sidekiq "$P_RO"
pg_session_open s4 admin production '' "$P_ADMIN"
pg_session_open s5 app_user analytics rails "$P_APP"
pg_session_close s5
pg_expect_fail app_user production rails wrong_pw 'password authentication failed' 'authentication_failed'
pg_check_open_count
LIVE=${PG_S_BPID[s2]}

step "attacks"
declare -A WANT_CAT=([authentication_failed]=1)   # pg_expect_fail above
ATTACKS=0
NAMES=()   # the names the server wrote (cut to NAMEDATALEN-1 = 63 bytes)
# attack LABEL CATEGORY USER DB PASSWORD: a login that must fail
attack() {
  local label=$1 cat=$2 user=$3 db=$4 pass=$5 rc=0
  env -u PGAPPNAME PGUSER="$user" PGDATABASE="$db" PGPASSWORD="$pass" \
    "$PG_BIN/psql" -X -w -q -h "$PG_SOCK" -p "$PG_PORT" -c 'select 1' >/dev/null 2>"$PG_TMP/attack.err" || rc=$?
  ((rc != 0)) || pg_die "attack '$label' logged in"
  ATTACKS=$((ATTACKS + 1))
  WANT_CAT[$cat]=$((${WANT_CAT[$cat]:-0} + 1))
  printf '  %-34s %s\n' "$label" "$(head -n 1 "$PG_TMP/attack.err" | cut -c 1-90)" >&2
}
F='1999-12-31 23:59:59.000 UTC'   # a forged line's time stamp
NL=$'\n'

attack 'restart (user)' authentication_failed "x${NL}$F [1] LOG:  starting PostgreSQL " postgres wrong
attack 'shutdown (user, cut)' authentication_failed "${NL}$F [1] LOG:  database system is shut down" postgres wrong
attack 'shutdown (database)' database_does_not_exist app_user "${NL}$F [1] LOG:  database system is shut down" "$P_APP"
attack 'ready (quoted name with ")' database_does_not_exist app_user "q\"${NL}$F [1] LOG:  database system is ready" "$P_APP"
attack 'phantom connect' authentication_failed "z${NL}$F [4444] ghost" "prod LOG:  connection authorized: user=ghost database=prod${NL}" wrong
attack "disconnect live pid $LIVE" authentication_failed "d${NL}$F [$LIVE] a" "p LOG:  disconnection: session time: 0:00:01.000 user=a${NL}" wrong
attack "disconnect live pid (closed line)" authentication_failed "a@p LOG:  x${NL}$F [$LIVE] a" "p LOG:  disconnection: session time: 0:00:01.000 user=a${NL}" wrong
attack 'too many clients' authentication_failed "t${NL}$F [5555] t" "p FATAL:  sorry, too many clients already${NL}" wrong
attack 'year 9999 connect' authentication_failed "f${NL}9999-12-31 23:59:59.000 UTC [6666] f" "p LOG:  connection authorized: user=f database=p${NL}" wrong
attack 'year 9999 (database)' database_does_not_exist app_user "${NL}9999-12-31 23:59:59.000 UTC [1] LOG:  received fast " "$P_APP"
attack 'pg_hba rejects (quoted user)' pg_hba_reject "r${NL}$F [1] LOG:  all server processes terminated; " nohba x
attack 'crash (tab in name)' authentication_failed "c${NL}	$F [1] LOG:  terminating any other active server processes" postgres wrong
NAMES+=("x${NL}$F [1] LOG:  starting PostgreSQL ")

step "compare"
pg_psql postgres postgres '' '' \
  "select count(*) from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()"
PSA=$PG_OUT
SNAP=$PG_TMP/snapshot.log
cp "$PG_LOG" "$SNAP"
printf '\n$ pgtail connections < postgresql.log\n'
"$PGTAIL" connections <"$SNAP" | sed 's/^/    /'
J=$("$PGTAIL" connections --json <"$SNAP")
printf '\n%-60s %10s %10s\n' check pgtail expected
check "Active connections (pg_stat_activity client backends)" "$(jq .active <<<"$J")" "$PSA"
check "Active connections (sessions the script holds open)" "$(jq .active <<<"$J")" "$(pg_open_count)"
check "Session totals: connects" "$(jq .connects <<<"$J")" "$PG_CONNECTS"
check "Session totals: disconnects" "$(jq .disconnects <<<"$J")" "$PG_DISCONNECTS"
check "Connection failures" "$(jq .failures_total <<<"$J")" $((PG_FAILURES + ATTACKS))
for c in $(printf '%s\n' "${!WANT_CAT[@]}" | sort); do
  check "  $c" "$(jq --arg c "$c" '[.failures[] | select(.category == $c) | .count] | add // 0' <<<"$J")" "${WANT_CAT[$c]}"
done
check "sessions ended by a reset" "$(jq .sessions_ended_by_reset <<<"$J")" 0
check "lost sessions" "$(jq '.lost_sessions | length' <<<"$J")" 0
for n in "${NAMES[@]}"; do
  check "failure with the name the server wrote" \
    "$(jq --arg u "${n:0:63}" '[.failures[] | select(.user == $u)] | length' <<<"$J")" 1
done
check "peak time is not a forged one" "$(jq -r '.peak.time[0:4]' <<<"$J")" "$(date -u +%Y)"
H=$("$PGTAIL" connections --history <"$SNAP")
check "--history shows no forged time" "$(grep -c -e 9999 -e 1999 <<<"$H" || true)" 0
check "names are shown escaped (\x0a), no raw newline" \
  "$("$PGTAIL" connections <"$SNAP" | grep -q '\\x0a' && ! "$PGTAIL" connections <"$SNAP" | grep -q '^1999' && echo yes)" yes

step "close everything, stop the server"
pg_session_close_all
pg_stop fast
cp "$PG_LOG" "$SNAP"
J=$("$PGTAIL" connections --json <"$SNAP")
check "Active connections after shutdown" "$(jq .active <<<"$J")" 0
check "Session totals: disconnects after shutdown" "$(jq .disconnects <<<"$J")" "$PG_DISCONNECTS"

pg_e2e_result e2e-forgery "$ATTACKS" attacks
