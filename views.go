package main

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
	"time"

	"github.com/pgtail/pgtail/aggregate"
	"github.com/pgtail/pgtail/format"
	"github.com/pgtail/pgtail/parse"
)

// render writes the summary or history of the state to stdout, as text
// or JSON. A stdout closed by its reader (`| head`) is no error.
func (t *tracker) render() error {
	var err error
	switch {
	case t.cmd.History:
		err = t.renderHistory()
	case t.cmd.JSON:
		err = format.JSON(t.out, t.jsonReport(t.st.Summary(t.cmd.filter()), nil))
	default:
		err = t.renderSummary()
	}
	var usage *exitError
	if errors.As(err, &usage) {
		return err
	}
	if err == nil {
		err = t.out.Flush()
	}
	if err != nil && !errors.Is(err, syscall.EPIPE) {
		return errOutput{err}
	}
	return nil
}

// renderSummary writes the summary, and the peak when it says something
// the active count does not.
func (t *tracker) renderSummary() error {
	filter := t.cmd.filter()
	sum := t.st.Summary(filter)
	if err := t.summary(sum, filter); err != nil {
		return err
	}
	// The peak is server-wide: shown without filters.
	if p, sat := t.st.Peak(), t.st.Saturation(); sum.Events > 0 && filter == (aggregate.Filter{}) &&
		(p.Active != sum.Active || sat.Count > 0 || t.cmd.MaxConn > 0) {
		return format.Peak(t.out, p, sat, t.cmd.MaxConn)
	}
	return nil
}

// renderHistory writes the history (the summary when nothing was read),
// and without filters the peak. A log without time stamps has no
// history: exit 1.
func (t *tracker) renderHistory() error {
	filter := t.cmd.filter()
	sum := t.st.Summary(filter)
	window, err := t.historyWindow()
	if err != nil {
		return err
	}
	h := t.st.History(filter, window, t.cmd.Bucket)
	if t.st.Summary(aggregate.Filter{}).Events > 0 && !h.HasTime {
		return usageErrorf("pgtail: --history needs time stamps: the log_line_prefix has no %s", "%t, %m or %n")
	}
	switch {
	case t.cmd.JSON:
		return format.JSON(t.out, t.jsonReport(sum, &h))
	case h.HasTime:
		err := format.History(t.out, h, filter)
		if err == nil && filter == (aggregate.Filter{}) {
			err = format.Peak(t.out, t.st.Peak(), t.st.Saturation(), t.cmd.MaxConn)
		}
		return err
	}
	return t.summary(sum, filter) // the empty state
}

// summary writes the summary view; the empty state of a record that a
// running tracker keeps does not tell the user to start one.
func (t *tracker) summary(sum aggregate.Summary, filter aggregate.Filter) error {
	if t.liveRecord {
		return format.SummaryLive(t.out, sum, filter)
	}
	return format.Summary(t.out, sum, filter)
}

// historyWindow checks --bucket and --window against what the state keeps.
// A run that reads a log keeps what its options need; a recorded session
// keeps the slots and the span of the run that recorded it. A bucket that
// is not a whole number of its slots cannot be shown (refused); a window
// longer than it keeps is cut to what it keeps, and said on stderr.
func (t *tracker) historyWindow() (time.Duration, error) {
	cfg, window, bucket := t.st.Config(), t.cmd.Window, t.cmd.Bucket
	if bucket%cfg.Resolution != 0 {
		return 0, usageErrorf("pgtail: the recorded session keeps the timeline in %s steps: --bucket=%s is not a whole number of them; "+
			"use a multiple of %s, or read the log again with --bucket=%s", short(cfg.Resolution), short(bucket), short(cfg.Resolution), short(bucket))
	}
	if window > cfg.Retention {
		kept := cfg.Retention / bucket * bucket
		fmt.Fprintf(t.stderr, "pgtail: the recorded session keeps the last %s; showing %s, not %s (read the log again with --window=%s for more)\n",
			short(cfg.Retention), short(kept), short(window), short(window))
		window = kept
	}
	return window, nil
}

// short writes a duration as the options take it: "1m", "24h", "1m30s".
func short(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// jsonReport gathers everything the JSON views show.
func (t *tracker) jsonReport(sum aggregate.Summary, h *aggregate.History) format.Report {
	input := t.readSoFar()
	f := input.Format // what was read, detected or given
	if f == parse.Auto {
		f = t.cmd.Format
	}
	fname := f.String()
	if f == parse.Auto {
		fname = "" // nothing was read to detect it from
	}
	filter := t.cmd.filter()
	return format.Report{
		Filter:         filter,
		Summary:        sum,
		History:        h,
		ByHost:         t.st.ByHost(filter),
		Failures:       t.st.FailureTable(filter),
		Peak:           t.st.Peak(),
		Saturation:     t.st.Saturation(),
		MaxConnections: t.cmd.MaxConn,
		Durations:      t.st.Durations(filter),
		Input: format.Input{
			Lines: input.Lines, Entries: input.Entries, Skipped: input.Skipped, Truncated: input.Truncated,
			Format: fname, Prefix: input.Prefix,
		},
	}
}
