package main

import (
	"errors"
	"syscall"

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
	if err := format.Summary(t.out, sum, filter); err != nil {
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
	h := t.st.History(filter, t.cmd.Window, t.cmd.Bucket)
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
	return format.Summary(t.out, sum, filter) // the empty state
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
