#!/usr/bin/env bash
# The whole test suite: static checks, Go tests (unit, golden, testscript),
# then the real-PostgreSQL end-to-end tests. Used by .ci/run and the README.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s\n' "$*"; }

export PATH="$PATH:/usr/local/go/bin:$(go env GOPATH 2>/dev/null)/bin"

step "gofmt"
unformatted=$(gofmt -l . | grep -v '^testdata/' || true)
if [ -n "$unformatted" ]; then
	echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

step "go vet"
go vet ./...

step "staticcheck"
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

step "go mod tidy is clean"
cp go.mod /tmp/pgtail-go.mod.$$; cp go.sum /tmp/pgtail-go.sum.$$
go mod tidy
if ! diff -q go.mod /tmp/pgtail-go.mod.$$ >/dev/null || ! diff -q go.sum /tmp/pgtail-go.sum.$$ >/dev/null; then
	echo "go mod tidy changed go.mod/go.sum:"; git --no-pager diff -- go.mod go.sum || true
	exit 1
fi
rm -f /tmp/pgtail-go.mod.$$ /tmp/pgtail-go.sum.$$

step "parse/catalog_gen.go against what go generate writes from the installed catalogs"
# A warning, not a failure: a newer server package may ship changed translations.
(cd parse && go run ../scripts/gencatalog -readme '' -o /tmp/pgtail-catalog.$$.go 2>/dev/null) || true
if ! cmp -s parse/catalog_gen.go /tmp/pgtail-catalog.$$.go; then
	echo "WARNING: parse/catalog_gen.go differs from the installed catalogs: run go generate ./parse"
	diff parse/catalog_gen.go /tmp/pgtail-catalog.$$.go | head -20 || true
fi
rm -f /tmp/pgtail-catalog.$$.go

step "go test -race ./..."
go test -race -count=1 ./...

step "fuzz smoke (prefix, csvlog, jsonlog, syslog readers)"
for fz in FuzzPrefix FuzzCSV FuzzJSON FuzzSyslog; do
	go test ./parse -run='^$' -fuzz="^$fz\$" -fuzztime="${FUZZTIME:-10s}" >/dev/null || {
		echo "$fz failed:"; go test ./parse -run='^$' -fuzz="^$fz\$" -fuzztime=1x; exit 1; }
done

# Hostile input (README, "Hostile input and safety"): each fuzz target for FUZZTIME, then a
# short soak. Crashers land in the package's testdata/fuzz/ and fail here.
for target in ./parse:FuzzReader ./aggregate:FuzzState ./format:FuzzClean .:FuzzRun; do
	step "fuzz ${target#*:} for ${FUZZTIME:-30s}"
	go test "${target%%:*}" -run='^$' -fuzz="^${target#*:}\$" -fuzztime="${FUZZTIME:-30s}"
done

step "soak: 30 s at 20000 lines/s"
DURATION=30s bash scripts/soak.sh

step "build"
mkdir -p bin
go build -o bin/pgtail .

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

echo
echo "all tests passed"
