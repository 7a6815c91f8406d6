package main

import (
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/pgtail/pgtail/aggregate"
	"github.com/pgtail/pgtail/record"
)

// scrape gathers the collector's metrics: by name, the sum of the values
// of its series (a histogram's sample count), and each series' created
// time stamp.
func scrape(t *testing.T, c *stateCollector) (sums map[string]float64, created map[string]time.Time, series map[string][]*dto.Metric) {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(c); err != nil {
		t.Fatal(err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	sums, created, series = map[string]float64{}, map[string]time.Time{}, map[string][]*dto.Metric{}
	for _, mf := range mfs {
		name := mf.GetName()
		series[name] = mf.GetMetric()
		for _, m := range mf.GetMetric() {
			switch {
			case m.Counter != nil:
				sums[name] += m.Counter.GetValue()
				created[name] = m.Counter.GetCreatedTimestamp().AsTime()
			case m.Gauge != nil:
				sums[name] += m.Gauge.GetValue()
			case m.Histogram != nil:
				sums[name] += float64(m.Histogram.GetSampleCount())
				created[name] = m.Histogram.GetCreatedTimestamp().AsTime()
			}
		}
	}
	return sums, created, series
}

func readLog(t *testing.T, tr *tracker, name string) {
	t.Helper()
	if err := tr.readOne(name, nil); err != nil {
		t.Fatal(err)
	}
}

// The numbers in /metrics are the summary's, read from the same state.
func TestMetricsEqualSummary(t *testing.T) {
	for _, log := range []string{"mini.log", "pg15-debian.log"} {
		t.Run(log, func(t *testing.T) {
			c, _ := parseArgs([]string{"connections", "--listen=127.0.0.1:0"}, io.Discard)
			tr := newTracker(c, io.Discard, io.Discard, false)
			readLog(t, tr, filepath.Join("testdata", "logs", log))
			sums, _, series := scrape(t, &stateCollector{t: tr})

			sum := tr.st.Summary(aggregate.Filter{})
			rep := tr.jsonReport(sum, nil)
			if sum.Events == 0 {
				t.Fatal("no events read")
			}
			for _, c := range []struct {
				metric string
				want   float64
			}{
				{"pgtail_sessions_open", float64(sum.Active)},
				{"pgtail_connections_total", float64(sum.Connects)},
				{"pgtail_disconnections_total", float64(sum.Disconnects)},
				{"pgtail_connection_failures_total", float64(sum.Failures)},
				{"pgtail_session_duration_seconds", float64(rep.Durations.All.Sessions)},
				{"pgtail_sessions_peak", float64(rep.Peak.Active)},
				{"pgtail_sessions_ended_by_reset_total", float64(sum.ResetEnded)},
				{"pgtail_log_lines_total", float64(rep.Input.Lines)},
				{"pgtail_log_entries_total", float64(rep.Input.Entries)},
				{"pgtail_log_lines_skipped_total", float64(rep.Input.Skipped)},
			} {
				if got := sums[c.metric]; got != c.want {
					t.Errorf("%s = %v, summary says %v", c.metric, got, c.want)
				}
			}
			// By category, as --json has them.
			want := map[string]float64{}
			for _, r := range rep.Failures {
				if !r.Lost {
					want[r.Category] += float64(r.Count)
				}
			}
			for _, m := range series["pgtail_connection_failures_total"] {
				cat := m.GetLabel()[0].GetValue()
				if got := m.GetCounter().GetValue(); got != want[cat] {
					t.Errorf("failures{category=%q} = %v, want %v", cat, got, want[cat])
				}
			}
			info := series["pgtail_log_info"]
			if len(info) != 1 || info[0].GetLabel()[0].GetValue() != "stderr" || info[0].GetLabel()[1].GetValue() != rep.Input.Prefix {
				t.Errorf("pgtail_log_info = %v, want format stderr, prefix %q", info, rep.Input.Prefix)
			}
		})
	}
}

// The histogram's buckets are exact: every session time at most the bound.
func TestMetricsSessionTimeBuckets(t *testing.T) {
	c, _ := parseArgs([]string{"connections"}, io.Discard)
	tr := newTracker(c, io.Discard, io.Discard, false)
	lines := []string{}
	for i, d := range []string{"0:00:00.010", "0:00:00.011", "0:00:01.000", "0:00:01.001", "0:01:00.000", "25:00:00.000"} {
		lines = append(lines, "2026-11-24 10:00:00.000 UTC ["+string(rune('a'+i))+"] LOG:  disconnection: session time: "+d+" user=u database=d host=[local]")
	}
	if err := tr.readEvents(strings.NewReader(strings.Join(lines, "\n")+"\n"), "test", nil, time.Time{}); err != nil {
		t.Fatal(err)
	}
	_, _, series := scrape(t, &stateCollector{t: tr})
	h := series["pgtail_session_duration_seconds"][0].GetHistogram()
	want := map[float64]uint64{0.01: 1, 0.05: 2, 1: 3, 5: 4, 60: 5, 86400: 5}
	for _, b := range h.GetBucket() {
		if w, ok := want[b.GetUpperBound()]; ok && b.GetCumulativeCount() != w {
			t.Errorf("le=%v: %d sessions, want %d", b.GetUpperBound(), b.GetCumulativeCount(), w)
		}
	}
	if h.GetSampleCount() != 6 || h.GetSampleSum() != 0.010+0.011+1+1.001+60+25*3600 {
		t.Errorf("count %d, sum %v", h.GetSampleCount(), h.GetSampleSum())
	}
}

// `pgtail connections clear` resets a running tracker: its counters go
// back to zero with a later created time stamp, which Prometheus reads as
// a counter reset.
func TestMetricsClearIsACounterReset(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	c, _ := parseArgs([]string{"connections"}, io.Discard)
	tr := newTracker(c, io.Discard, io.Discard, false)
	tr.rec.open(path, io.Discard)
	if !tr.rec.recording() {
		t.Fatal("not recording")
	}
	defer tr.rec.close()
	col := &stateCollector{t: tr}
	readLog(t, tr, filepath.Join("testdata", "logs", "mini.log"))
	before, created1, _ := scrape(t, col)
	if before["pgtail_connections_total"] == 0 {
		t.Fatal("nothing counted")
	}
	time.Sleep(10 * time.Millisecond)
	if err := record.Clear(path); err != nil {
		t.Fatal(err)
	}
	tr.save(false)
	after, created2, _ := scrape(t, col)
	for _, m := range []string{"pgtail_connections_total", "pgtail_disconnections_total", "pgtail_connection_failures_total"} {
		if after[m] != 0 {
			t.Errorf("after clear: %s = %v, want 0", m, after[m])
		}
	}
	// The sessions still open are a fact about the server, not a
	// statistic: clear keeps them, and the gauge with them.
	if open := before["pgtail_sessions_open"]; open == 0 || after["pgtail_sessions_open"] != open {
		t.Errorf("after clear: pgtail_sessions_open = %v, want %v as before", after["pgtail_sessions_open"], open)
	}
	for _, m := range []string{"pgtail_connection_failures_total", "pgtail_session_duration_seconds", "pgtail_server_resets_total"} {
		if !created2[m].After(created1[m]) {
			t.Errorf("%s: created time stamp %v after clear, was %v: want later", m, created2[m], created1[m])
		}
	}
	// The reader's own counters go on: the lines were read.
	if after["pgtail_log_lines_total"] != before["pgtail_log_lines_total"] || !created2["pgtail_log_lines_total"].Equal(created1["pgtail_log_lines_total"]) {
		t.Errorf("pgtail_log_lines_total %v (created %v) after clear, was %v (created %v): want unchanged",
			after["pgtail_log_lines_total"], created2["pgtail_log_lines_total"], before["pgtail_log_lines_total"], created1["pgtail_log_lines_total"])
	}
}

// Names that are not UTF-8 (a LATIN1 server's database) still give a
// valid scrape; two names that look the same once cleaned are one series.
func TestMetricsNamesNotUTF8(t *testing.T) {
	c, _ := parseArgs([]string{"connections"}, io.Discard)
	tr := newTracker(c, io.Discard, io.Discard, false)
	log := "2026-11-24 10:00:00.000 UTC [1] LOG:  connection authorized: user=u database=caf\xe9\n" +
		"2026-11-24 10:00:00.000 UTC [2] LOG:  connection authorized: user=u database=caf\xe8\n" +
		"2026-11-24 10:00:00.000 UTC [3] LOG:  connection authorized: user=u database=ok\n"
	if err := tr.readEvents(strings.NewReader(log), "test", nil, time.Time{}); err != nil {
		t.Fatal(err)
	}
	sums, _, series := scrape(t, &stateCollector{t: tr})
	if sums["pgtail_sessions_open"] != 3 || len(series["pgtail_sessions_open"]) != 2 {
		t.Errorf("sessions_open: sum %v in %d series, want 3 in 2", sums["pgtail_sessions_open"], len(series["pgtail_sessions_open"]))
	}
}
