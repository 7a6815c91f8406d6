package format_test

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pgtail/pgtail/aggregate"
	"github.com/pgtail/pgtail/format"
	"github.com/pgtail/pgtail/parse"
)

// state reads the shared sample log into a tracker.
func sampleState(t *testing.T) (*aggregate.State, parse.Stats, []aggregate.Outcome) {
	t.Helper()
	f, err := os.Open("../testdata/logs/mini.log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return trackLog(t, f)
}

func report(st *aggregate.State, stats parse.Stats, f aggregate.Filter, h *aggregate.History, maxConn int) format.Report {
	return format.Report{
		Filter: f, Summary: st.Summary(f), History: h, ByHost: st.ByHost(f),
		Failures: st.FailureTable(f), Peak: st.Peak(), Saturation: st.Saturation(),
		MaxConnections: maxConn, Durations: st.Durations(f),
		Input: format.Input{stats.Lines, stats.Entries, stats.Skipped, stats.Truncated, "stderr", stats.Prefix},
	}
}

func indent(t *testing.T, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	out.WriteByte('\n')
	return out.Bytes()
}

func TestJSONGolden(t *testing.T) {
	st, stats, outs := sampleState(t)
	h := st.History(aggregate.Filter{}, time.Hour, 15*time.Minute)
	for _, tc := range []struct {
		name string
		r    format.Report
	}{
		{"summary", report(st, stats, aggregate.Filter{}, nil, 0)},
		{"summary-db", report(st, stats, aggregate.Filter{DB: "production"}, nil, 0)},
		{"history", report(st, stats, aggregate.Filter{}, &h, 100)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := format.JSON(&b, tc.r); err != nil {
				t.Fatal(err)
			}
			if n := bytes.Count(b.Bytes(), []byte("\n")); n != 1 || !bytes.HasSuffix(b.Bytes(), []byte("\n")) {
				t.Errorf("want one line, got %d newlines", n)
			}
			golden(t, "json-"+tc.name, indent(t, b.Bytes()))
		})
	}
	t.Run("watch", func(t *testing.T) {
		var b bytes.Buffer
		for _, o := range outs {
			if err := format.WatchJSON(&b, o); err != nil {
				t.Fatal(err)
			}
		}
		for i, line := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
			var v map[string]any
			if err := json.Unmarshal([]byte(line), &v); err != nil {
				t.Fatalf("line %d is not one JSON object: %v", i+1, err)
			}
			if v["version"] != float64(format.JSONVersion) {
				t.Errorf("line %d: version %v", i+1, v["version"])
			}
		}
		golden(t, "json-watch", b.Bytes())
	})
}

// Client-controlled names cannot break the JSON or reach a terminal raw.
func TestJSONHostileNames(t *testing.T) {
	st := aggregate.New(aggregate.Config{})
	st.Apply(&parse.Event{Kind: parse.Connect, PID: 1, User: "a\"b", DB: "x\x1b[31m", App: "\xff\n"})
	var b bytes.Buffer
	if err := format.JSON(&b, report(st, parse.Stats{}, aggregate.Filter{}, nil, 0)); err != nil {
		t.Fatal(err)
	}
	if bytes.ContainsAny(b.Bytes(), "\x1b\xff") || bytes.Count(b.Bytes(), []byte("\n")) != 1 {
		t.Errorf("raw control bytes in %q", b.String())
	}
	var v map[string]any
	if err := json.Unmarshal(b.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
}

func TestPeakText(t *testing.T) {
	at := time.Date(2026, 11, 24, 10, 46, 0, 4e6, time.FixedZone("CET", 3600))
	var b bytes.Buffer
	sat := aggregate.Saturation{Count: 2, First: at, Last: at.Add(time.Minute)}
	if err := format.Peak(&b, aggregate.Peak{Active: 97, Time: at}, sat, 100); err != nil {
		t.Fatal(err)
	}
	want := "Peak: 97 active at 2026-11-24 10:46:00.004 CET (peak 97 of 100, 3 free)\n" +
		"Saturated: 2 connections refused with \"too many clients\", 2026-11-24 10:46:00.004 CET to 2026-11-24 10:47:00.004 CET\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
