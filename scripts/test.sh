#!/usr/bin/env bash
# The whole test suite: static checks, Go tests (unit, golden, testscript),
# then the real-PostgreSQL end-to-end tests. Used by .ci/run and the README.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s\n' "$*"; }

export PATH="$PATH:/usr/local/go/bin:$(go env GOPATH 2>/dev/null)/bin"

# No test touches the user's own recorded session.
state_dir=$(mktemp -d "${TMPDIR:-/tmp}/pgtail-test-state.XXXXXX")
trap 'rm -rf "$state_dir"' EXIT
export PGTAIL_STATE=$state_dir/connections.json

# The real-PostgreSQL tests come last: say now, not after the rest, if they
# cannot run here (as root the server runs as `postgres`; otherwise as the
# current user, with PostgreSQL already installed).
step "real PostgreSQL can run here"
bash -c '. scripts/pglib.sh && pg_preflight && pg_info "ok: server as ${PG_USER_OS}, binaries in ${PG_BIN:-(installed by the e2e step)}"'

step "gofmt"
unformatted=$(gofmt -l . | grep -v '^testdata/' || true)
if [ -n "$unformatted" ]; then
	echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

step "go vet"
go vet ./...

step "staticcheck (the version pinned by go.mod's tool directive)"
go tool staticcheck ./...

step "go mod tidy is clean"
cp go.mod /tmp/pgtail-go.mod.$$; cp go.sum /tmp/pgtail-go.sum.$$
go mod tidy
if ! diff -q go.mod /tmp/pgtail-go.mod.$$ >/dev/null || ! diff -q go.sum /tmp/pgtail-go.sum.$$ >/dev/null; then
	echo "go mod tidy changed go.mod/go.sum:"; git --no-pager diff -- go.mod go.sum || true
	exit 1
fi
rm -f /tmp/pgtail-go.mod.$$ /tmp/pgtail-go.sum.$$

step "the shells the completion tests run"
for sh in bash zsh fish; do
	command -v "$sh" >/dev/null && continue
	if [ "$(id -u)" = 0 ]; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$sh" >/dev/null || {
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$sh" >/dev/null; }
	elif [ -n "${CI:-}" ]; then
		echo "$sh is missing"; exit 1
	else
		echo "$sh is missing (apt-get install $sh): its completion test skips"
	fi
done

step "parse/catalog_gen.go against what go generate writes from the installed catalogs"
# A warning, not a failure: a newer server package may ship changed translations.
(cd parse && go run ../scripts/gencatalog -readme '' -o /tmp/pgtail-catalog.$$.go 2>/dev/null) || true
if ! cmp -s parse/catalog_gen.go /tmp/pgtail-catalog.$$.go; then
	echo "WARNING: parse/catalog_gen.go differs from the installed catalogs: run go generate ./parse"
	diff parse/catalog_gen.go /tmp/pgtail-catalog.$$.go | head -20 || true
fi
rm -f /tmp/pgtail-catalog.$$.go

step "deploy examples: promtool check config and rules"
command -v promtool >/dev/null || { echo "promtool not found: apt-get install prometheus (.ci/run does)"; exit 1; }
promtool check config scripts/deploy/prometheus-scrape.yml
promtool check rules scripts/deploy/pgtail-alerts.yml
promtool test rules scripts/deploy/pgtail-alerts.test.yml

step "go test -race ./..."
go test -race -count=1 ./...

# Fuzzing. go test ./... above replays every target's seeds, the committed
# crashers (testdata/fuzz/) and TestMutatedSamples' fixed-seed search, so CI
# gives the same answer for the same commit. Exploring (new random inputs)
# runs when FUZZTIME is set, e.g. FUZZTIME=10m bash scripts/test.sh before
# a release: a crasher lands in the package's testdata/fuzz/ and fails here.
if [ -n "${FUZZTIME:-}" ]; then
	for target in ./parse:FuzzPrefix ./parse:FuzzFastPath ./parse:FuzzCSV ./parse:FuzzJSON ./parse:FuzzSyslog ./parse:FuzzEnvelope \
		./parse:FuzzScanJSON ./parse:FuzzSplitCSV ./parse:FuzzReader ./aggregate:FuzzState ./format:FuzzClean \
		.:FuzzRun ./record:FuzzScanNames; do
		step "fuzz ${target#*:} for $FUZZTIME"
		go test "${target%%:*}" -run='^$' -fuzz="^${target#*:}\$" -fuzztime="$FUZZTIME"
	done
	step "mutated samples for $FUZZTIME"
	PGTAIL_MUTATE_SEED=$RANDOM PGTAIL_MUTATE_TIME="$FUZZTIME" go test ./parse -run='^TestMutatedSamples$' -count=1
else
	step "fuzzing: seeds, crashers and the fixed-seed mutation run ran in go test (FUZZTIME=10m explores)"
fi

step "soak: 30 s at 20000 lines/s"
DURATION=30s bash scripts/soak.sh

step "soak: a name flood, 20 s at 20000 lines/s (every name new; at most 64 MB)"
DURATION=20s FLOOD=1 bash scripts/soak.sh

step "shell completion in the real bash, zsh and fish"
go test -count=1 -run '^TestCompletion(Bash|Zsh|Fish)$' -v . | grep -E '^(---|ok|FAIL|panic|\s+completion_test)'

step "completion speed on a large record (under 100 ms beyond a start-up)"
bash scripts/complete-speed.sh

step "build"
mkdir -p bin
go build -o bin/pgtail .

step "deploy example: systemd-analyze verify pgtail.service"
if command -v systemd-analyze >/dev/null; then
	unit_dir=$(mktemp -d)
	sed "s|/usr/local/bin/pgtail|$PWD/bin/pgtail|" scripts/deploy/pgtail.service >"$unit_dir/pgtail.service"
	out=$(systemd-analyze verify "$unit_dir/pgtail.service" 2>&1) || true
	rm -rf "$unit_dir"
	if [ -n "$out" ]; then echo "$out"; exit 1; fi
else
	echo "systemd-analyze not installed: unit not checked"
fi

step "README sample command"
./bin/pgtail connections testdata/logs/pg15-debian.log

step "real PostgreSQL end-to-end"
bash scripts/e2e-real.sh "$PWD/bin/pgtail"

step "real PostgreSQL: peak, failures, session times"
bash scripts/e2e-peak.sh "$PWD/bin/pgtail"

step "real PostgreSQL in German and Russian (lc_messages): every failure, a restart, a crash"
bash scripts/e2e-lang.sh "$PWD/bin/pgtail"

step "real PostgreSQL: every log format and prefix gives the same numbers"
bash scripts/e2e-formats.sh "$PWD/bin/pgtail"

step "real PostgreSQL: forged lines from client-chosen names"
bash scripts/e2e-forgery.sh "$PWD/bin/pgtail"

step "a fleet: two servers, pgtail --follow --listen each, a real Prometheus (promtool check metrics on a real scrape)"
bash scripts/e2e-fleet.sh "$PWD/bin/pgtail"

step "real PostgreSQL through rsyslog's traditional format: history and peak time"
bash scripts/e2e-syslog.sh "$PWD/bin/pgtail"

echo
echo "all tests passed"
