package aggregate

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/pgtail/pgtail/parse"
)

// benchEvents reads the events of a real-shaped log: $PGTAIL_BENCH_LOG (the
// corpus of scripts/bench.sh) or the real sample log repeated to ~16 MB.
// It returns them with the size of the log they came from.
func benchEvents(b *testing.B) ([]parse.Event, int) {
	var data []byte
	if f := os.Getenv("PGTAIL_BENCH_LOG"); f != "" {
		var err error
		if data, err = os.ReadFile(f); err != nil {
			b.Fatal(err)
		}
	} else {
		one, err := os.ReadFile("../testdata/logs/pg15-debian.log")
		if err != nil {
			b.Fatal(err)
		}
		data = bytes.Repeat(one, 16<<20/len(one)+1)
	}
	var evs []parse.Event
	for ev, err := range parse.NewReader(bytes.NewReader(data), parse.Options{}).All() {
		if err != nil {
			b.Fatal(err)
		}
		evs = append(evs, *ev)
	}
	return evs, len(data)
}

// BenchmarkApply applies the events of a busy log; MB/s are of the log
// the events came from, comparable with parse.BenchmarkReader.
func BenchmarkApply(b *testing.B) {
	evs, size := benchEvents(b)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		st := New(Config{Retention: 75 * time.Minute})
		for _, ev := range evs {
			st.Apply(new(ev))
		}
	}
}

// BenchmarkApplyHistory also renders the --history view at the end.
func BenchmarkApplyHistory(b *testing.B) {
	evs, size := benchEvents(b)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		st := New(Config{Retention: 75 * time.Minute})
		for _, ev := range evs {
			st.Apply(new(ev))
		}
		st.History(Filter{}, time.Hour, 15*time.Minute)
	}
}
