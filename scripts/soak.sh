#!/usr/bin/env bash
# Soak test: feed pgtail an endless-looking log at a fixed rate and check
# its memory stays flat. Not in CI by default; scripts/test.sh runs a
# 30-second version.
#
#   DURATION=30m RATE=20000 MODE=summary scripts/soak.sh
#
# DURATION  how long to feed (Go duration; default 30s)
# RATE      lines per second (default 20000)
# PIDS      distinct PIDs cycled through (default 1000000)
# MODE      summary, history or watch (default summary)
# CRASH_EVERY  lines between crash-and-reinitialise lines (default 200000)
# MAX_GROWTH_KB  allowed VmRSS growth from the first sample after warm-up
#           to the end (default 20480)
# FLOOD     1: every session and failed login has names never seen before
#           (a name flood: memory and the state file must stay bounded)
# MAX_RSS_KB  the most VmRSS may reach (default 65536)
#
# The log churns PIDs: sessions that connect and disconnect, probes with
# only "connection received", failed logins, sessions that never
# disconnect, and a crash-and-reinitialise line every CRASH_EVERY lines.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"

DURATION=${DURATION:-30s}
RATE=${RATE:-20000}
PIDS=${PIDS:-1000000}
MODE=${MODE:-summary}
CRASH_EVERY=${CRASH_EVERY:-200000}
MAX_GROWTH_KB=${MAX_GROWTH_KB:-20480}
FLOOD=${FLOOD:-0}
MAX_RSS_KB=${MAX_RSS_KB:-65536}
flood=()
[ "$FLOOD" = 1 ] && flood=(-flood)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/pgtail" .
go build -o "$tmp/soakgen" ./scripts/soakgen

case $MODE in
summary) args=() ;;
history) args=(--history) ;;
watch) args=(--watch) ;;
*) echo "MODE must be summary, history or watch" >&2; exit 1 ;;
esac

export PGTAIL_STATE="$tmp/state.json" # the recorded session: never the user's own
mkfifo "$tmp/log"
"$tmp/soakgen" -rate "$RATE" -duration "$DURATION" -pids "$PIDS" -crash-every "$CRASH_EVERY" "${flood[@]}" > "$tmp/log" 2> "$tmp/gen.err" &
gen=$!
out="$tmp/out"
[ "$MODE" = watch ] && out=/dev/null # half a gigabyte of event lines per 10 minutes
"$tmp/pgtail" connections "${args[@]}" < "$tmp/log" > "$out" 2> "$tmp/err" &
pg=$!

rss() { awk '/^VmRSS:/ {print $2}' "/proc/$pg/status" 2>/dev/null || true; }
case $DURATION in # seconds, for sampling; DURATION itself goes to soakgen
*h) secs=$(( ${DURATION%h} * 3600 )) ;;
*m) secs=$(( ${DURATION%m} * 60 )) ;;
*s) secs=${DURATION%s} ;;
*) echo "DURATION must be like 30s, 30m or 2h" >&2; exit 1 ;;
esac
# The first sample counts after warm-up: the open, pending and leaked
# sessions reach their steady size once a few crash lines have passed.
warm=$(( secs < 120 ? secs / 2 : secs / 10 ))
every=$(( secs / 30 > 1 ? secs / 30 : 1 ))
start_kb= end_kb= peak_kb=0 t=0
printf '%8s %10s\n' elapsed VmRSS_kB
while kill -0 "$gen" 2>/dev/null; do
	sleep "$every"; t=$((t + every))
	kb=$(rss); [ -n "$kb" ] || break
	printf '%7ss %10s\n' "$t" "$kb"
	[ "$kb" -gt "$peak_kb" ] && peak_kb=$kb
	if [ -z "$start_kb" ] && [ "$t" -ge "$warm" ]; then start_kb=$kb; fi
	end_kb=$kb
done
wait "$gen"
wait "$pg"; rc=$?
cat "$tmp/gen.err"
echo "pgtail exit $rc; report:"
if [ "$MODE" != watch ]; then
	head -n 3 "$tmp/out"
	grep -E '^(Session totals|Connection failures|Total)' "$tmp/out" || true
fi
if [ -s "$tmp/err" ]; then echo "stderr:"; cat "$tmp/err"; fi
echo "VmRSS: start (after ${warm}s) ${start_kb:-?} kB, end ${end_kb:-?} kB, peak ${peak_kb} kB"
[ -f "$PGTAIL_STATE" ] && echo "state file: $(stat -c %s "$PGTAIL_STATE") bytes"
if [ "$rc" -ne 0 ]; then echo "FAIL: pgtail exited $rc"; exit 1; fi
if [ "$peak_kb" -gt "$MAX_RSS_KB" ]; then
	echo "FAIL: VmRSS reached $peak_kb kB (limit $MAX_RSS_KB)"; exit 1
fi
if [ -n "$start_kb" ] && [ $((end_kb - start_kb)) -gt "$MAX_GROWTH_KB" ]; then
	echo "FAIL: VmRSS grew by $((end_kb - start_kb)) kB (limit $MAX_GROWTH_KB)"; exit 1
fi
echo "soak OK"
