#!/usr/bin/env bash
# How fast `pgtail completion` answers for --db= when the recorded session
# is large: it must stay under 100 ms (issue 15). It records a session of
# SESSIONS open sessions with NAMES distinct (db, user, app) triples in a
# temp state file (PGTAIL_STATE, never yours), then times RUNS calls of
# what the bash script runs on --db=<TAB> (the check: its median CPU
# time), beside a bare start-up (pgtail version) and, for scale, 3
# reports from the same record (which load all of it).
#
#   scripts/complete-speed.sh                       # 200000 sessions, 20000 names
#   SESSIONS=50000 NAMES=5000 RUNS=10 scripts/complete-speed.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
SESSIONS=${SESSIONS:-200000}
NAMES=${NAMES:-20000}
RUNS=${RUNS:-20}
LIMIT_MS=${LIMIT_MS:-100}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PGTAIL_STATE=$work/state/connections.json
bin=${PGTAIL_BIN:-$work/pgtail}
[ -n "${PGTAIL_BIN:-}" ] || go build -o "$bin" .

awk -v n="$SESSIONS" -v names="$NAMES" 'BEGIN {
	for (i = 0; i < n; i++) {
		k = i % names
		printf "2026-11-24 10:%02d:%02d.%03d UTC [%d] user%d@db%d LOG:  connection authorized: user=user%d database=db%d application_name=app %d\n",
			int(i / 60000) % 60, int(i / 1000) % 60, i % 1000, 100000 + i, k % 500, k, k % 500, k, k
	}
}' >"$work/big.log"
"$bin" connections "$work/big.log" >/dev/null
echo "record: $(du -k "$PGTAIL_STATE" | cut -f1) KiB, $SESSIONS open sessions, $NAMES names"

# ms runs the command RUNS times and prints the medians of its wall-clock
# and CPU (user + system) times, in ms. The CPU time is what the check
# uses: on a shared machine the wall clock mostly measures the others.
ms() {
	local i times
	times=$(for ((i = 0; i < RUNS; i++)); do
		{ TIMEFORMAT='%R %U %S'; time "$@" >/dev/null; } 2>&1
	done)
	median() { sort -n | awk '{v[NR] = $1} END {printf "%d", v[int((NR + 1) / 2)]}'; }
	printf 'wall %s ms, cpu %s ms (medians of %d)\n' \
		"$(echo "$times" | awk '{print $1 * 1000}' | median)" \
		"$(echo "$times" | awk '{print ($2 + $3) * 1000}' | median)" "$RUNS"
}

# The record keeps at most 1024 databases by name (aggregate's cap); the
# rest are counted under "(other)", which completion offers too.
want=$NAMES
[ "$NAMES" -le 1024 ] || want=1025
n=$("$bin" __complete bash "pgtail connections --db=" "=" | tail -n +2 | wc -l)
[ "$n" -eq "$want" ] || { echo "completion offered $n names, want $want"; exit 1; }
startup=$(ms "$bin" version)
complete_ms=$(ms "$bin" __complete bash "pgtail connections --db=db12" "db12")
echo "pgtail version (start-up):  $startup"
echo "completion of --db=db12:    $complete_ms"
echo "completion of --db= (all):  $(ms "$bin" __complete bash "pgtail connections --db=" "=")"
echo "report from the record:     $(RUNS=3 ms "$bin" connections)"
cpu=$(echo "$complete_ms" | sed 's/.*cpu \([0-9]*\) ms.*/\1/')
echo "completion takes $cpu ms of CPU (limit $LIMIT_MS ms)"
[ "$cpu" -lt "$LIMIT_MS" ]
