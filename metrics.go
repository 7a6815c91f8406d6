package main

import (
	"errors"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/pgtail/pgtail/aggregate"
	"github.com/pgtail/pgtail/parse"
)

// Prometheus metrics (--listen). They are not counted beside the state:
// a collector reads the aggregate state under the tracker's lock at each
// scrape, so /metrics and the summary always tell the same numbers. When
// `pgtail connections clear` resets the running tracker, every counter
// starts again from zero with a new created time stamp: a counter reset,
// as Prometheus expects one.

// metric describes a metric with the given variable labels.
func metric(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(name, help, labels, nil)
}

var (
	nameLabels = []string{"database", "user", "application"}

	descOpen        = metric("pgtail_sessions_open", "Sessions open now, by database, user and application (sums to the active count).", nameLabels...)
	descConnects    = metric("pgtail_connections_total", "Sessions that started (connection authorized, not refused right after).", nameLabels...)
	descDisconnects = metric("pgtail_disconnections_total", "Sessions that ended with a disconnection line.", nameLabels...)
	descFailures    = metric("pgtail_connection_failures_total", "Connection attempts the server refused, by category (as in --json).", "category")
	descDurations   = metric("pgtail_session_duration_seconds", "Session times of the sessions that ended with a disconnection line.")
	descPeak        = metric("pgtail_sessions_peak", "The most sessions open at one moment during the run, server-wide (exact, between scrapes too).")
	descResets      = metric("pgtail_server_resets_total", "Server restarts, shutdowns and crashes read in the log, by reason.", "reason")
	descResetEnded  = metric("pgtail_sessions_ended_by_reset_total", "Sessions that a server restart, shutdown or crash ended without a disconnection line.")
	descLines       = metric("pgtail_log_lines_total", "Log lines read.")
	descEntries     = metric("pgtail_log_entries_total", "Log entries recognised (a severity after the log_line_prefix).")
	descSkipped     = metric("pgtail_log_lines_skipped_total", "Non-blank lines that are neither log entries nor their continuations.")
	descTruncated   = metric("pgtail_log_lines_truncated_total", "Lines over 1 MiB, cut.")
	descInfo        = metric("pgtail_log_info", "The log format and log_line_prefix read (detected or given); always 1.", "format", "prefix")
	descReopened    = metric("pgtail_follow_reopened_total", "Files followed (--follow) read again from their start: rotated (renamed and created again, or the server's next file) or truncated.", "path", "reason")
)

// resetReasons are the reasons of parse.Reset events, shown at zero
// before the first.
var resetReasons = []string{"restart", "shutdown", "crash"}

// A stateCollector reads the tracker's state at scrape time.
type stateCollector struct {
	t *tracker

	// Under t.mu: the state of the last scrape, and when its counters
	// started (the start of the run, or the last clear); when the run's
	// own counters (lines read…) started, which a clear does not reset.
	st    *aggregate.State
	since time.Time
	start time.Time
}

func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descOpen, descConnects, descDisconnects, descFailures, descDurations, descPeak,
		descResets, descResetEnded, descLines, descEntries, descSkipped, descTruncated, descInfo, descReopened} {
		ch <- d
	}
}

var errBusy = errors.New("the tracker is busy writing a watch event nobody reads")

func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	t := c.t
	if !t.lockWithin(5 * time.Second) {
		ch <- prometheus.NewInvalidMetric(descOpen, errBusy)
		return
	}
	defer t.mu.Unlock()
	if t.st != c.st {
		c.st, c.since = t.st, time.Now() // a new run, or a clear: counters restart
	}
	if c.start.IsZero() {
		c.start = c.since
	}
	since := c.since
	counter := func(d *prometheus.Desc, v int, labels ...string) {
		ch <- prometheus.MustNewConstMetricWithCreatedTimestamp(d, prometheus.CounterValue, float64(v), since, labels...)
	}
	st := t.st
	// Label values must be UTF-8; a database or user name need not be
	// (a LATIN1 server): invalid bytes become U+FFFD, and names that then
	// look the same are one series, so no series is listed twice.
	var keys []aggregate.Names
	byLabels := map[aggregate.Names]*aggregate.NameCounts{}
	for _, n := range st.ByName(t.cmd.filter()) {
		k := aggregate.Names{DB: labelValue(n.DB), User: labelValue(n.User), App: labelValue(n.App)}
		if c := byLabels[k]; c != nil {
			c.Active += n.Active
			c.Connects += n.Connects
			c.Disconnects += n.Disconnects
			continue
		}
		byLabels[k] = &n
		keys = append(keys, k)
	}
	for _, k := range keys {
		n := byLabels[k]
		ch <- prometheus.MustNewConstMetric(descOpen, prometheus.GaugeValue, float64(n.Active), k.DB, k.User, k.App)
		counter(descConnects, n.Connects, k.DB, k.User, k.App)
		counter(descDisconnects, n.Disconnects, k.DB, k.User, k.App)
	}
	cats := map[string]int{}
	for _, cat := range parse.FailureCategories() {
		cats[cat] = 0 // shown before the first: an alert sees 0 → 1
	}
	for _, r := range st.FailureTable(t.cmd.filter()) {
		if !r.Lost {
			cats[r.Category] += r.Count
		}
	}
	for _, cat := range slices.Sorted(maps.Keys(cats)) {
		counter(descFailures, cats[cat], cat)
	}
	n, sum, upto := st.SessionTimes(t.cmd.filter())
	buckets := make(map[float64]uint64, len(upto))
	for i, b := range aggregate.SessionTimeBounds {
		buckets[b.Seconds()] = uint64(upto[i])
	}
	ch <- prometheus.MustNewConstHistogramWithCreatedTimestamp(descDurations, uint64(n), sum.Seconds(), buckets, c.since)
	ch <- prometheus.MustNewConstMetric(descPeak, prometheus.GaugeValue, float64(st.Peak().Active))
	resets := st.Resets()
	for _, r := range resetReasons {
		resets[r] += 0
	}
	for _, r := range slices.Sorted(maps.Keys(resets)) {
		counter(descResets, resets[r], r)
	}
	counter(descResetEnded, st.Summary(aggregate.Filter{}).ResetEnded)

	since = c.start
	in := t.readSoFar()
	counter(descLines, in.Lines)
	counter(descEntries, in.Entries)
	counter(descSkipped, in.Skipped)
	counter(descTruncated, in.Truncated)
	if in.Format != 0 {
		ch <- prometheus.MustNewConstMetric(descInfo, prometheus.GaugeValue, 1, in.Format.String(), labelValue(in.Prefix))
	}
	if t.input.live != nil {
		for _, fw := range t.input.live.followers {
			for i, reason := range []string{"rotated", "truncated"} {
				ch <- prometheus.MustNewConstMetric(descReopened, prometheus.CounterValue, float64(fw.swaps[i].Load()), labelValue(fw.path), reason)
			}
		}
	}
}

// labelValue makes s a valid label value: UTF-8.
func labelValue(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }

// serveMetrics listens on addr and serves /metrics until the returned
// function is called.
func (t *tracker) serveMetrics(addr string) (func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(&stateCollector{t: t},
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewGoCollector())
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{EnableOpenMetrics: true, EnableOpenMetricsTextCreatedSamples: true}))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<html><body>pgtail ` + version + `: <a href="/metrics">metrics</a></body></html>` + "\n"))
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return func() { _ = srv.Close() }, nil
}
