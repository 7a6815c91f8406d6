#!/usr/bin/env bash
# Name floods (issue 12): clients choose user, database and application
# names, so a flood of distinct names must cost bounded memory and a small
# state file. For each input of the issue's table, peak RSS
# (/usr/bin/time -v) and the size of the recorded state file; for watch
# also the event latency while the big state is recorded.
#
#   scripts/nameflood.sh [PGTAIL_BINARY]     # default: built from this tree
#
# MAX_RSS_KB (default 65536) and MAX_STATE_KB (default 8192) are the limits:
# exit 1 when an input goes over either.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
MAX_RSS_KB=${MAX_RSS_KB:-65536}
MAX_STATE_KB=${MAX_STATE_KB:-8192}

if [ ! -x /usr/bin/time ]; then
	echo "nameflood: /usr/bin/time is missing (Debian: apt-get install time)" >&2; exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pgtail=${1:-}
if [ -z "$pgtail" ]; then go build -o "$tmp/pgtail" . && pgtail=$tmp/pgtail; fi
go build -o "$tmp/floodgen" ./scripts/floodgen
go build -o "$tmp/latency" ./scripts/latency
"$tmp/floodgen" -kind apps -n 300000 >"$tmp/apps.log"
"$tmp/floodgen" -kind hba -n 300000 >"$tmp/hba.log"
"$tmp/floodgen" -kind apps -n 1000000 >"$tmp/apps1m.log"

fail=0
printf '| %-66s | %9s | %10s |\n' input "RSS" "state file"
# measure LABEL ARGS...: pgtail connections ARGS with a fresh record.
measure() {
	local label=$1; shift
	local st=$tmp/state-$RANDOM
	mkdir -m 700 "$st"
	PGTAIL_STATE=$st/connections.json /usr/bin/time -v "$pgtail" connections "$@" >"$tmp/out" 2>"$tmp/time" || {
		echo "nameflood: pgtail failed:" >&2; cat "$tmp/time" >&2; exit 1; }
	local kb state_b
	kb=$(awk '/Maximum resident set size/ {print $NF}' "$tmp/time")
	state_b=$(stat -c %s "$st/connections.json")
	printf '| %-66s | %6d MB | %7.2f MB |\n' "$label" $((kb / 1024)) "$(awk -v b="$state_b" 'BEGIN {print b / 1048576}')"
	if [ "$kb" -gt "$MAX_RSS_KB" ] || [ $((state_b / 1024)) -gt "$MAX_STATE_KB" ]; then
		echo "FAIL: over ${MAX_RSS_KB} kB RSS or ${MAX_STATE_KB} kB state file" >&2; fail=1
	fi
	rm -rf "$st"
}
measure "300k sessions with distinct application_name, all closed" "$tmp/apps.log"
measure "300k pre-auth 'no pg_hba.conf entry' with distinct user/database" "$tmp/hba.log"
measure "1M distinct application names, recorded, --json" --json "$tmp/apps1m.log"
measure "watch with 300k names" --watch --color=never "$tmp/apps.log"
mkdir -m 700 "$tmp/lat"
echo "watch latency after 300k names (the record is saved every second meanwhile):"
"$tmp/latency" -pgtail "$pgtail" -n 1000 -preload "$tmp/apps.log" -state "$tmp/lat/connections.json" -limit 1s || fail=1
exit $fail
