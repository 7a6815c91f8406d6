#!/usr/bin/env bash
# gen-logs.sh [OUTPUT]: run a small scripted connection workload against a
# throw-away PostgreSQL 15 server and save its real log (default
# testdata/logs/pg15-debian.log), for the README:
#
#   pgtail connections < testdata/logs/pg15-debian.log
#
# Needs root (see scripts/pglib.sh). The log uses the Debian default
# log_line_prefix '%m [%p] %q%u@%d ', lc_messages C, log_timezone UTC. It contains
# sessions across two databases, four roles and four applications plus sessions
# without an application name (dblink), clean disconnects, refused logins (wrong
# password, missing database, NOLOGIN role, reserved slots, too many clients),
# a fast restart and a crash (kill -9 of a backend), and ends with sessions still
# open (the log is copied before they are closed). Timestamps, pids and the temp
# socket path differ on every run; the counts do not. They are printed at the end.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUTPUT=$(realpath -m "${1:-$HERE/../testdata/logs/pg15-debian.log}")
# shellcheck source=scripts/pglib.sh
. "$HERE/pglib.sh"

pg_setup  # no extra postgresql.conf settings
pg_start

JDBC='PostgreSQL JDBC Driver'
pg_psql postgres postgres '' '' \
  "create role app_user login password 'app_pw'" \
  "create role readonly login password 'ro_pw'" \
  "create role admin login password 'admin_pw'" \
  "create role nologin_role nologin password 'nologin_pw'" \
  "create database production" \
  "create database analytics"
pg_psql postgres production '' '' "create extension dblink"
pg_psql postgres analytics '' '' "create extension dblink"

# Morning traffic; some sessions come and go.
pg_session_open a1 app_user production rails app_pw
pg_session_open a2 app_user production rails app_pw
pg_session_open a3 app_user production sidekiq app_pw
pg_session_open a4 readonly analytics "$JDBC" ro_pw
pg_session_open a5 admin production '' admin_pw
pg_session_close a2
pg_expect_fail app_user production rails wrong_pw 'password authentication failed' 'password authentication failed'
pg_expect_fail readonly reporting '' ro_pw 'database "reporting" does not exist' 'missing database'
pg_expect_fail nologin_role production '' nologin_pw 'is not permitted to log in' 'nologin'

# A burst fills the ordinary slots, then the superuser reserve.
i=0
while (($(pg_open_count) < PG_MAX_CONNECTIONS - PG_SUPERUSER_RESERVED)); do
  i=$((i + 1))
  pg_session_open "t$i" app_user production sidekiq app_pw
done
pg_expect_fail app_user production sidekiq app_pw 'remaining connection slots are reserved' 'reserved slots'
j=0
while (($(pg_open_count) < PG_MAX_CONNECTIONS)); do
  j=$((j + 1))
  pg_session_open "su$j" postgres postgres '' ''
done
pg_expect_fail app_user production sidekiq app_pw 'sorry, too many clients already' 'too many clients'
for ((k = 1; k <= i; k++)); do pg_session_close "t$k"; done
for ((k = 1; k <= j; k++)); do pg_session_close "su$k"; done

# Fast restart with a1 a3 a4 a5 open: each logs a disconnection.
pg_restart

# Crash: kill -9 of one backend; every session vanishes without a disconnection.
pg_session_open b1 app_user production rails app_pw
pg_session_open b2 readonly analytics "$JDBC" ro_pw
pg_session_open b3 postgres production '' ''
pg_session_dblink b3 bd1 readonly analytics ro_pw
pg_crash b1
pg_isready_check

# Sessions open at the end of the log.
pg_session_open f1 app_user production rails app_pw
pg_session_open f2 app_user production rails app_pw
pg_session_open f3 app_user production sidekiq app_pw
pg_session_open f4 readonly analytics "$JDBC" ro_pw
pg_session_open f5 admin production '' admin_pw
pg_session_open f6 admin analytics rails admin_pw
pg_session_close f6
pg_session_open f7 postgres analytics '' ''
pg_session_dblink f7 fd1 readonly analytics ro_pw
pg_check_open_count
pg_settle

mkdir -p "$(dirname "$OUTPUT")"
cp "$PG_LOG" "$OUTPUT"
chmod 0644 "$OUTPUT"

# What `pgtail connections` should report for this log.
echo "wrote $OUTPUT ($(wc -l <"$OUTPUT") lines)"
echo "expected: Active connections: $(pg_open_count)"
pg_expected_groups | awk -F'\t' '
  { db[$1]++; us[$2]++; ap[$3]++ }
  END {
    for (k in db) printf "  database %s %d\n", k, db[k]
    for (k in us) printf "  user %s %d\n", k, us[k]
    for (k in ap) printf "  application %s %d\n", k, ap[k]
  }' | sort
echo "expected: Session totals: $PG_CONNECTS connects, $PG_DISCONNECTS disconnects"
printf 'expected: Connection failures: %d (' "$PG_FAILURES"
for k in $(printf '%s\n' "${!PG_FAIL_REASONS[@]}" | sort | tr ' ' '\001'); do
  k=${k//$'\001'/ }; printf '[%s %s]' "$k" "${PG_FAIL_REASONS[$k]}"
done
echo ')'
# The EXIT trap now stops the server with -m immediate (after the copy).
