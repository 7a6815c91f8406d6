#!/usr/bin/env bash
# e2e-syslog.sh PGTAIL_BINARY: one real PostgreSQL 15 server's log sent
# through rsyslog, written in rsyslog's traditional file format (time stamps
# without a year: "Nov 30 19:53:20 host postgres[5004]: [2-1] …"), must give
# the same summary and history as the server's own log, and the peak at the
# same second (issue 16).
#
#   go build -o /tmp/pgtail . && sudo scripts/e2e-syslog.sh /tmp/pgtail
#
# The server logs to stderr with Debian's prefix ('%m [%p] %q%u@%d '): that
# log is the reference. Each of its entries is then sent to a private
# rsyslogd (temp config, imudp on 127.0.0.1, a port the kernel picks) as
# PostgreSQL's syslog writer sends it with log_line_prefix = '%q%u@%d ':
# the time and PID only in the syslog header, "[SEQ-CHUNK] " numbering, a
# DETAIL as the next chunk of its message. pgtail must take the time from
# the yearless stamp (the year from the file's modification time, said
# once), the PID from the tag, and not call the prefix unrecognised. The
# rsyslogd is stopped on exit; the system's syslog is never touched.
# Needs the Debian package rsyslog (.ci/run installs it).
set -euo pipefail

[[ $# -eq 1 ]] || { echo "usage: $0 PGTAIL_BINARY" >&2; exit 1; }
PGTAIL=$(realpath "$1")
[[ -x $PGTAIL ]] || { echo "e2e-syslog: not executable: $PGTAIL" >&2; exit 1; }
RSYSLOGD=$(command -v rsyslogd || echo /usr/sbin/rsyslogd)
[[ -x $RSYSLOGD ]] || { echo "e2e-syslog: needs rsyslogd (apt-get install rsyslog)" >&2; exit 1; }

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/pglib.sh
. "$HERE/pglib.sh"

step "cluster"
pg_setup
pg_start
export PGTAIL_STATE=$PG_TMP/pgtail-state XDG_STATE_HOME=$PG_TMP/xdg NO_COLOR=1 TZ=UTC
PW=app_pw
pg_psql postgres postgres '' '' "create role app_user login password '$PW'" "create database production"

step "sessions, a busy moment, refusals"
for i in 1 2 3; do pg_psql app_user production batch "$PW" 'select 1'; done
for i in 1 2 3 4 5 6; do pg_session_open "s$i" app_user production rails "$PW"; done
pg_session_open r1 postgres postgres '' ''
pg_expect_fail app_user production rails wrong_pw 'password authentication failed' 'wrong password'
pg_expect_fail app_user nosuchdb rails "$PW" 'database "nosuchdb" does not exist' 'missing database'
for i in 1 2 3 4; do pg_session_close "s$i"; done
pg_psql app_user production sidekiq "$PW" 'select 1'
pg_settle
pg_stop

step "rsyslogd (private: temp config, imudp on 127.0.0.1)"
RS=$PG_TMP/rsyslog
mkdir -p "$RS"
OUT=$RS/postgresql.log
cat >"$RS/rsyslog.conf" <<EOF
global(workDirectory="$RS")
module(load="imudp")
input(type="imudp" address="127.0.0.1" port="0")
action(type="omfile" file="$OUT" template="RSYSLOG_TraditionalFileFormat")
EOF
"$RSYSLOGD" -n -f "$RS/rsyslog.conf" -i "$RS/rsyslogd.pid" >"$RS/rsyslogd.out" 2>&1 &
RS_PID=$!
stop_rsyslogd() {
  if [[ -n ${RS_PID:-} ]] && kill -0 "$RS_PID" 2>/dev/null; then
    kill "$RS_PID" 2>/dev/null || true
    wait "$RS_PID" 2>/dev/null || true
  fi
  RS_PID=
}
trap 'stop_rsyslogd; pg_cleanup' EXIT
# The port the kernel gave it: its UDP socket's inode in /proc/net/udp.
PORT=
for ((i = 0; i < 200; i++)); do
  for fd in /proc/"$RS_PID"/fd/*; do
    ino=$(readlink "$fd" 2>/dev/null) || continue
    [[ $ino =~ ^socket:\[([0-9]+)\]$ ]] || continue
    hex=$(awk -v ino="${BASH_REMATCH[1]}" '$10 == ino && $2 ~ /^0100007F:/ { split($2, a, ":"); print a[2] }' /proc/net/udp)
    [[ -n $hex ]] && PORT=$((16#$hex))
  done
  [[ -n $PORT ]] && break
  sleep 0.05
done
[[ -n $PORT ]] || { cat "$RS/rsyslogd.out" >&2; pg_die "rsyslogd did not listen"; }
pg_info "rsyslogd $RS_PID on 127.0.0.1:$PORT"

step "send the server's log as PostgreSQL's syslog writer would"
# "<PRI>Mmm dd hh:mm:ss HOST postgres[PID]: [SEQ-CHUNK] %q%u@%d SEV:  message",
# SEQ counted per process; a DETAIL/HINT line is the next chunk of the
# message before it (PostgreSQL writes it in the same message).
awk -v host=db1 '
BEGIN { split("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec", mon, " ") }
match($0, /^[0-9-]+ [0-9:.]+ UTC \[[0-9]+\] /) {
  split($1, d, "-"); split($2, t, ".")
  pid = substr($4, 2, length($4) - 2)
  rest = substr($0, RLENGTH + 1)
  sev = rest; sub(/:  .*/, "", sev); sub(/^.* /, "", sev)
  if (sev ~ /^(DETAIL|HINT|CONTEXT|STATEMENT|QUERY)$/ && (pid in seq)) chunk[pid]++
  else { seq[pid]++; chunk[pid] = 1 }
  printf "<134>%s %2d %s %s postgres[%s]: [%d-%d] %s\n", mon[d[2] + 0], d[3] + 0, t[1], host, pid, seq[pid], chunk[pid], rest
  n++
}
END { print n > "/dev/stderr" }' "$PG_LOG" >"$RS/messages" 2>"$RS/count"
SENT=$(cat "$RS/count")
exec 3>"/dev/udp/127.0.0.1/$PORT"
while IFS= read -r m; do printf '%s' "$m" >&3; done <"$RS/messages"
exec 3>&-
for ((i = 0; i < 200; i++)); do
  [[ -f $OUT ]] && (($(wc -l <"$OUT") >= SENT)) && break
  sleep 0.05
done
stop_rsyslogd
pg_info "sent $SENT messages; rsyslog wrote $(wc -l <"$OUT") lines"
head -n 3 "$OUT" | sed 's/^/    /' >&2

step "compare"
BARE=$("$PGTAIL" connections "$PG_LOG")
SYS=$("$PGTAIL" connections "$OUT" 2>"$RS/stderr")
BARE_H=$("$PGTAIL" connections --history "$PG_LOG")
SYS_H=$("$PGTAIL" connections --history "$OUT" 2>"$RS/stderr-h")
printf '\n$ pgtail connections --history %s\n' "$OUT"
printf '%s\n' "$SYS_H" | sed 's/^/    /'
printf '\n$ pgtail connections --history (stderr)\n'
sed 's/^/    /' "$RS/stderr-h"

# The syslog stamps are to the second: the peak and saturation times
# agree with the server's to the second; everything else line for line.
cut_ms() { sed -E 's/^((Peak|Saturated):.* [0-9]{2}:[0-9]{2}:[0-9]{2})\.[0-9]{3}/\1/'; }
printf '\n%-52s %14s %14s  %s\n' check syslog server result
check "lines written by rsyslog" "$(wc -l <"$OUT")" "$SENT"
check "summary, line for line" "$(diff <(cut_ms <<<"$SYS") <(cut_ms <<<"$BARE") >/dev/null && echo same || echo differs)" same
check "history, line for line" "$(diff <(cut_ms <<<"$SYS_H") <(cut_ms <<<"$BARE_H") >/dev/null && echo same || echo differs)" same
peak() { grep -oE '^Peak: [0-9]+ active at [0-9-]+ [0-9:]+' <<<"$1" || echo none; }
check "peak (count, time to the second)" "$(peak "$SYS_H" | cut -c7-)" "$(peak "$BARE_H" | cut -c7-)"
check "year said once, from the file's mtime" "$(grep -c "the syslog time stamps have no year: read as $(date -r "$OUT" +%Y), from the modification time" "$RS/stderr-h")" 1
check "no prefix hint (PID from the tag)" "$(grep -c 'log_line_prefix not recognised' "$RS/stderr-h" || true)" 0
if ((FAILS > 0)); then
  diff <(cut_ms <<<"$SYS_H") <(cut_ms <<<"$BARE_H") >&2 || true
  printf '\ne2e-syslog: %d of %d checks FAILED\n' "$FAILS" "$CHECKS"
  exit 1
fi
printf '\ne2e-syslog: all %d checks passed\n' "$CHECKS"
