#!/usr/bin/env bash
# e2e-peak.sh PGTAIL_BINARY: check pgtail's peak, failure table and session
# times against what a real PostgreSQL 15 server and this script know.
#
#   go build -o /tmp/pgtail . && scripts/e2e-peak.sh /tmp/pgtail
#
# The log given to pgtail starts *after* three sessions were opened, so they
# are pre-log sessions that pgtail only learns about from their
# disconnection lines (session time). The script then drives the server to
# its busiest moment (every slot taken: max_connections), samples
# pg_stat_activity from inside one of those sessions (no extra connection),
# gets "too many clients" refusals, closes everything, opens a few sessions,
# crashes the server with kill -9 and opens fewer again. The busiest moment
# is the one it sampled. Exit 0 when every number agrees, 1 otherwise.
set -euo pipefail

[[ $# -eq 1 ]] || { echo "usage: $0 PGTAIL_BINARY" >&2; exit 1; }
PGTAIL=$(realpath "$1")
[[ -x $PGTAIL ]] || { echo "e2e-peak: not executable: $PGTAIL" >&2; exit 1; }
command -v jq >/dev/null || { echo "e2e-peak: needs jq" >&2; exit 1; }

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/pglib.sh
. "$HERE/pglib.sh"

step "cluster"
pg_setup
pg_start
# sess/ is the caller's directory, not the server user's: pgtail records there.
export PGTAIL_STATE=$PG_TMP/sess/pgtail-state XDG_STATE_HOME=$PG_TMP/xdg NO_COLOR=1
PW=app_pw
pg_psql postgres postgres '' '' "create role app_user login password '$PW'" "create database production"

step "pre-log sessions"
pg_session_open pre1 app_user production rails "$PW"
pg_session_open pre2 app_user production rails "$PW"
pg_session_open pre3 app_user production sidekiq "$PW"
PRE_START=$EPOCHREALTIME # the pre-log sessions are older than this
# The log pgtail reads begins here (after a settle, so no line is cut).
pg_settle
OFFSET=$(stat -c %s "$PG_LOG")

step "short sessions (under a second)"
for i in 1 2 3 4 5; do pg_psql app_user production batch "$PW" 'select 1'; done

step "busiest moment: every slot taken"
i=0
while (($(pg_open_count) < PG_MAX_CONNECTIONS - PG_SUPERUSER_RESERVED)); do
  i=$((i + 1)); pg_session_open "t$i" app_user production rails "$PW"
done
j=0
while (($(pg_open_count) < PG_MAX_CONNECTIONS)); do
  j=$((j + 1)); pg_session_open "su$j" postgres postgres '' ''
done
# Sampled from inside the last session: it counts itself, opens nothing.
pg_session_sql "su$j" "select count(*) from pg_stat_activity where backend_type = 'client backend';"
OBSERVED=$PG_OUT
pg_session_sql "su$j" "select to_char(now() at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"');"
SAMPLED_AT=$PG_OUT
pg_info "pg_stat_activity at the busiest moment: $OBSERVED client backends ($SAMPLED_AT)"

step "refusals"
pg_expect_fail app_user production rails "$PW" 'sorry, too many clients already' 'too many clients'
pg_expect_fail app_user production rails "$PW" 'sorry, too many clients already' 'too many clients'
for ((k = 1; k <= i; k++)); do pg_session_close "t$k"; done
for ((k = 1; k <= j; k++)); do pg_session_close "su$k"; done
pg_expect_fail app_user production rails wrong_pw 'password authentication failed' 'wrong password'
pg_expect_fail ghost production rails some_pw 'password authentication failed' 'unknown role'
pg_expect_fail app_user nosuchdb rails "$PW" 'database "nosuchdb" does not exist' 'missing database'

step "pre-log sessions end"
sleep 1
PRE_HELD=$(awk -v a="$PRE_START" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }')
pg_session_close pre1
pg_session_close pre2
pg_session_close pre3

step "crash in the middle"
pg_session_open c1 app_user production rails "$PW"
pg_session_open c2 app_user production rails "$PW"
pg_session_open c3 app_user production rails "$PW"
pg_crash c1
pg_isready_check
pg_session_open f1 app_user production rails "$PW"
pg_session_open f2 app_user production rails "$PW"
pg_settle

step "compare"
LOG=$PG_TMP/from-offset.log
tail -c +"$((OFFSET + 1))" "$PG_LOG" >"$LOG"
J=$("$PGTAIL" connections --json --max-connections="$PG_MAX_CONNECTIONS" "$LOG")
TEXT=$("$PGTAIL" connections --max-connections="$PG_MAX_CONNECTIONS" "$LOG")
printf '\n$ pgtail connections --max-connections=%s < log-from-offset\n' "$PG_MAX_CONNECTIONS"
printf '%s\n' "$TEXT" | sed 's/^/    /'
printf '\n$ pgtail connections --json ... | jq ".peak, .failures, .lost_sessions, .durations"\n'
jq -c '.peak, (.failures[] | {category, cause, user, database, count}), (.lost_sessions[] | {category, user, count}), (.durations | del(.by_application))' <<<"$J" | sed 's/^/    /'

printf '\n%-52s %14s %14s  %s\n' check pgtail expected result
check "peak (pg_stat_activity at the busiest moment)" "$(jq .peak.active <<<"$J")" "$OBSERVED"
PT=$(jq -r .peak.time <<<"$J")
check "peak time <= sample time" "$([[ $PT < $SAMPLED_AT || $PT == "$SAMPLED_AT" ]] && echo yes || echo "$PT")" yes
check "peak time exact" "$(jq .peak.time_exact <<<"$J")" true
check "peak free slots" "$(jq .peak.free <<<"$J")" "$((PG_MAX_CONNECTIONS - OBSERVED))"
check "saturation (too many clients refusals)" "$(jq .peak.saturation.count <<<"$J")" "${PG_FAIL_REASONS['too many clients']}"
check "text peak line" "$(grep -c "^Peak: $OBSERVED active at .* (peak $OBSERVED of $PG_MAX_CONNECTIONS, 0 free)$" <<<"$TEXT")" 1
fail_count() { jq "[.failures[] | select(.category == \"$1\" and (.cause // \"\") == \"$2\") | .count] | add // 0" <<<"$J"; }
check "failures: too_many_connections" "$(fail_count too_many_connections '')" "${PG_FAIL_REASONS['too many clients']}"
check "failures: authentication_failed / wrong password" "$(fail_count authentication_failed 'wrong password')" "${PG_FAIL_REASONS['wrong password']}"
check "failures: authentication_failed / unknown role" "$(fail_count authentication_failed 'unknown role')" "${PG_FAIL_REASONS['unknown role']}"
check "failures: database_does_not_exist" "$(fail_count database_does_not_exist '')" "${PG_FAIL_REASONS['missing database']}"
check "failures_total" "$(jq .failures_total <<<"$J")" "$PG_FAILURES"
# The crash killed c1 (kill -9) and c2, c3 (no disconnection lines).
check "lost sessions in the crash" "$(jq '[.lost_sessions[] | select(.category == "lost_in_crash") | .count] | add // 0' <<<"$J")" 3
NDISC=$(grep -c 'LOG:  disconnection: session time: ' "$LOG")
check "durations.sessions (disconnection lines)" "$(jq .durations.sessions <<<"$J")" "$NDISC"
check "pre-log sessions: max session time >= $PRE_HELD s" "$(jq ".durations.max_s >= $PRE_HELD" <<<"$J")" true
check "batch sessions all under 1 s" "$(jq '.durations.by_application[] | select(.name == "batch") | .under_1s' <<<"$J")" 5
check "active now" "$(jq .active <<<"$J")" "$(pg_open_count)"

printf '\ne2e-peak: %d checks, %d mismatches\n' "$CHECKS" "$FAILS"
pg_session_close_all
pg_stop fast
((FAILS == 0))
