package main

import (
	"bytes"
	"io"
	"os"
	"testing"
)

// BenchmarkRun is `pgtail connections < FILE` end to end, in process (so
// go test -cpuprofile sees all of it): FILE is $PGTAIL_BENCH_LOG (a
// scripts/bench.sh corpus), else the PostgreSQL 15 sample log repeated to
// about 16 MB. PGTAIL_BENCH_ARGS adds flags (e.g. --json).
func BenchmarkRun(b *testing.B) {
	name := os.Getenv("PGTAIL_BENCH_LOG")
	var data []byte
	var err error
	if name != "" {
		data, err = os.ReadFile(name)
	} else {
		data, err = os.ReadFile("testdata/logs/pg15-debian.log")
		data = bytes.Repeat(data, 16<<20/max(len(data), 1)+1)
	}
	if err != nil {
		b.Fatal(err)
	}
	args := []string{"connections"}
	if a := os.Getenv("PGTAIL_BENCH_ARGS"); a != "" {
		args = append(args, a)
	}
	env := func(k string) string {
		if k == "PGTAIL_STATE" {
			return "off"
		}
		return ""
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		var errs bytes.Buffer
		if code := run(args, bytes.NewReader(data), io.Discard, &errs, env); code != 0 {
			b.Fatalf("exit %d: %s", code, errs.String())
		}
	}
}
