#!/usr/bin/env bash
# Throughput, memory and latency of `pgtail connections` against grep and cat.
#
#   scripts/bench.sh                 # ~1 GB stderr corpus, 5 runs each
#   SIZE_MB=200 RUNS=3 scripts/bench.sh
#
# It captures a real PostgreSQL 15 log (a throw-away cluster in a temp dir,
# Debian log_line_prefix, log_connections/log_disconnections/log_statement=all,
# pgbench -i, pgbench with and without -C, multi-line statements and failed
# logins through psql), scales it up with scripts/benchgen (PIDs and time
# stamps shifted per replay) and times each command on the same file in one
# run: median of RUNS runs, ratio to the three-pattern grep. Generated files
# stay under $BENCH_DIR (default /tmp/pgtail-bench), never in git; an existing
# corpus of the right size is reused (FRESH=1 rebuilds it).
#
# Two shapes of log, each captured from a real server:
#   quiet  mostly long sessions running statements; connection lines are
#          about 3 % of all lines (the default)
#   storm  a connection storm: pgbench -C (a new session per transaction,
#          as an application without a pooler does) with log_statement =
#          'all', and a few failed logins; connection received/authorized/
#          disconnection lines are about a third of all lines
#
# Environment: SHAPE (quiet, storm or "quiet storm"; default quiet),
# SIZE_MB (stderr corpus, default 1024), CSV_MB (csvlog and jsonlog
# corpora, default 300), RUNS (default 5), BENCH_DIR, PG_BIN, PGTAIL_BIN
# (time this binary instead of building the working tree).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
export LC_ALL=C

SIZE_MB=${SIZE_MB:-1024}
CSV_MB=${CSV_MB:-300}
RUNS=${RUNS:-5}
BENCH_DIR=${BENCH_DIR:-/tmp/pgtail-bench}
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || dirname "$(command -v pg_ctl)")}
mkdir -p "$BENCH_DIR"

log() { printf '%s\n' "$*" >&2; }

# ---------------------------------------------------------------- capture
capture() { # shape
	local shape=$1 out=$BENCH_DIR/capture-$1
	if [ -s "$out/pg.log" ] && [ -z "${FRESH:-}" ]; then return; fi
	rm -rf "$out"; mkdir -p "$out"
	local tmp; tmp=$(mktemp -d /tmp/pgtail-bench-pg.XXXXXX)
	chmod 755 "$tmp"
	local as=()
	if [ "$(id -u)" = 0 ]; then chown postgres: "$tmp"; as=(runuser -u postgres --); fi
	local port=$((20000 + RANDOM % 20000))
	log "capturing a PostgreSQL 15 log in $tmp (port $port)"
	"${as[@]}" "$PG_BIN/initdb" -D "$tmp/data" -U postgres -A trust >/dev/null
	cat >>"$tmp/data/postgresql.conf" <<CONF
listen_addresses = ''
port = $port
unix_socket_directories = '$tmp'
logging_collector = on
log_destination = 'stderr,csvlog,jsonlog'
log_directory = '$tmp/log'
log_filename = 'pg'
log_rotation_size = 0
log_line_prefix = '%m [%p] %q%u@%d '
log_connections = on
log_disconnections = on
log_statement = 'all'
log_timezone = 'UTC'
max_connections = 20
CONF
	local stopped=
	stop_pg() { [ -n "$stopped" ] || "${as[@]}" "$PG_BIN/pg_ctl" -D "$tmp/data" -m fast -w stop >/dev/null 2>&1 || true; stopped=1; }
	trap 'stop_pg; rm -rf "$tmp"' EXIT
	"${as[@]}" "$PG_BIN/pg_ctl" -D "$tmp/data" -l "$tmp/startup.log" -w start >/dev/null
	local pg=(-h "$tmp" -p "$port" -U postgres)
	"${as[@]}" "$PG_BIN/createdb" "${pg[@]}" bench
	"${as[@]}" "$PG_BIN/pgbench" "${pg[@]}" -i -s 1 -q bench >/dev/null 2>&1
	if [ "$shape" = storm ]; then
		# Every transaction in a session of its own, from 4 clients.
		"${as[@]}" "$PG_BIN/pgbench" "${pg[@]}" -C -c 4 -T 8 -n bench >/dev/null 2>&1
	else
		# Mostly long sessions (statements), some connection churn (-C).
		"${as[@]}" "$PG_BIN/pgbench" "${pg[@]}" -c 4 -T 6 -n bench >/dev/null 2>&1
		"${as[@]}" "$PG_BIN/pgbench" "${pg[@]}" -C -c 2 -T 5 -n bench >/dev/null 2>&1
	fi
	for i in 1 2 3 4 5; do
		"${as[@]}" "$PG_BIN/psql" "${pg[@]}" -d bench -X -q -v ON_ERROR_STOP=0 >/dev/null 2>&1 <<SQL || true
SET application_name = 'report$i';
SELECT a.aid,
       b.bbalance
  FROM pgbench_accounts a
  JOIN pgbench_branches b USING (bid)
 WHERE a.aid < $i * 10
 ORDER BY 1;
SELECT 'connection authorized: user=evil database=x' AS tricky;
SELECT * FROM no_such_table;
SQL
		"${as[@]}" "$PG_BIN/psql" "${pg[@]}" -d nosuchdb -X -c 'select 1' >/dev/null 2>&1 || true
		"${as[@]}" "$PG_BIN/psql" "${pg[@]}" -U nosuchuser -d bench -X -c 'select 1' >/dev/null 2>&1 || true
	done
	if [ "$shape" = storm ]; then
		"${as[@]}" "$PG_BIN/pgbench" "${pg[@]}" -C -c 2 -T 3 -n bench >/dev/null 2>&1
	else
		"${as[@]}" "$PG_BIN/pgbench" "${pg[@]}" -c 4 -T 3 -n bench >/dev/null 2>&1
	fi
	stop_pg
	cp "$tmp/log/pg" "$out/pg.log"
	cp "$tmp/log/pg.csv" "$out/pg.csv"
	cp "$tmp/log/pg.json" "$out/pg.json"
	rm -rf "$tmp"; trap - EXIT
	log "captured $(wc -l <"$out/pg.log") stderr lines ($shape), $(grep -cE 'connection (received|authorized)|disconnection: session time' "$out/pg.log") of them connection lines"
}

corpus() { # shape format size_mb file
	local shape=$1; shift
	local f=$3
	if [ -s "$f" ] && [ -z "${FRESH:-}" ]; then return; fi
	log "generating $f ($2 MB $1, $shape)"
	local src=$BENCH_DIR/capture-$shape/pg.log
	case $1 in csvlog) src=$BENCH_DIR/capture-$shape/pg.csv ;; jsonlog) src=$BENCH_DIR/capture-$shape/pg.json ;; esac
	"$BENCH_DIR/benchgen" -format="$1" -size="$2" <"$src" >"$f.tmp"
	mv "$f.tmp" "$f"
}

# ---------------------------------------------------------------- timing
# median of RUNS wall times in seconds of `bash -c "$1"`. Output goes to a
# file, not /dev/null: GNU grep stops at the first match when its output
# is /dev/null.
timeit() {
	local i t0 t1 ts=()
	for ((i = 0; i < RUNS; i++)); do
		t0=$(date +%s%N)
		bash -c "$1" >"$BENCH_DIR/out"
		t1=$(date +%s%N)
		ts+=($(((t1 - t0) / 1000000)))
	done
	printf '%s\n' "${ts[@]}" | sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f\n", m/1000}'
}

rss_mb() { # peak RSS in MB of one run of "$1"
	/usr/bin/time -f '%M' -o "$BENCH_DIR/rss" bash -c "exec $1" >"$BENCH_DIR/out"
	awk '{printf "%.1f\n", $1/1024}' "$BENCH_DIR/rss"
}

# accepts reports whether this pgtail takes the flags (on an empty input).
accepts() { : | "$PGTAIL" connections "$@" >/dev/null 2>&1; }

row() { printf '| %-66s | %7s | %5s |\n' "$1" "$2" "$3"; }

table() { # shape format file: every command on the same file, ratio to the three-pattern grep
	local shape=$1; shift
	local file=$2 base c t
	local q3="LC_ALL=C grep -cE 'connection authorized|disconnection: session time|FATAL' < FILE"
	local fmt=""
	[ "$1" = stderr ] || fmt=" --format=$1"
	local cmds=(
		"pgtail connections$fmt < FILE"
		"pgtail connections$fmt --history < FILE"
		"cat FILE | pgtail connections$fmt"
	)
	if accepts --json; then cmds+=("pgtail connections$fmt --json < FILE"); fi
	cmds+=("$q3" "cat FILE | LC_ALL=C grep -cE 'connection authorized|disconnection: session time|FATAL'" "LC_ALL=C grep -c 'connection authorized' < FILE" "cat FILE > /dev/null")
	echo
	echo "$shape $1: FILE = $file ($(($(stat -c %s "$file") >> 20)) MB, $(wc -l <"$file") lines); median of $RUNS runs; nproc=$(nproc)"
	echo
	row command seconds ratio
	row "$(printf -- '-%.0s' {1..66})" "-------" "-----"
	base=$(timeit "${q3//FILE/$file}")
	for c in "${cmds[@]}"; do
		if [ "$c" = "$q3" ]; then
			t=$base
		else
			t=$(timeit "$(sed "s#pgtail #$PGTAIL #; s#FILE#$file#g" <<<"$c")")
		fi
		row "$c" "$t" "$(awk -v a="$t" -v b="$base" 'BEGIN {printf "%.2f", a/b}')"
	done
}

# ---------------------------------------------------------------- main
if [ -n "${PGTAIL_BIN:-}" ]; then
	PGTAIL=$PGTAIL_BIN # e.g. a build of another commit, for before/after
else
	go build -o "$BENCH_DIR/pgtail" .
	PGTAIL=$BENCH_DIR/pgtail
fi
go build -o "$BENCH_DIR/benchgen" ./scripts/benchgen
go build -o "$BENCH_DIR/latency" ./scripts/latency
export PGTAIL_STATE=$BENCH_DIR/state.json # never the user's recorded session
echo "pgtail ${PGTAIL_BIN:-$(git rev-parse --short HEAD)$(git diff --quiet || echo +dirty)}, $(go version | cut -d' ' -f3), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), nproc=$(nproc)"
for shape in ${SHAPE:-quiet}; do
	case $shape in quiet | storm) ;; *) log "unknown SHAPE $shape (quiet or storm)"; exit 1 ;; esac
	capture "$shape"
	big=$BENCH_DIR/$shape-stderr-${SIZE_MB}mb.log
	corpus "$shape" stderr "$SIZE_MB" "$big"
	table "$shape" stderr "$big"
	for f in csvlog jsonlog; do
		if accepts --format=$f; then
			file=$BENCH_DIR/$shape-$f-${CSV_MB}mb.$f
			corpus "$shape" $f "$CSV_MB" "$file"
			table "$shape" $f "$file"
		else
			echo; echo "$shape $f: skipped, this pgtail does not accept --format=$f"
		fi
	done
done
small=$BENCH_DIR/$shape-stderr-100mb.log
corpus "$shape" stderr 100 "$small"
echo
echo "peak RSS (MB): pgtail connections < 100 MB: $(rss_mb "$PGTAIL connections < $small"), < ${SIZE_MB} MB: $(rss_mb "$PGTAIL connections < $big"); --history < ${SIZE_MB} MB: $(rss_mb "$PGTAIL connections --history < $big"); cat ${SIZE_MB} MB | pgtail connections: $(rss_mb "$PGTAIL connections < <(cat $big)")"
echo
"$BENCH_DIR/latency" -pgtail "$PGTAIL" -n 200 || true
