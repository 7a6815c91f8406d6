package main

import (
	"fmt"

	"github.com/pgtail/pgtail/aggregate"
	"github.com/pgtail/pgtail/parse"
)

// hints say once, on stderr, what the user should know about the input.
func (t *tracker) hints() {
	if n := t.input.Truncated; n > 0 && t.input.Format == parse.CSVLog {
		fmt.Fprintf(t.stderr, "pgtail: skipped %d csvlog record(s) over %d MiB (a quote that never closes?)\n", n, parse.MaxLine>>20)
	} else if n == 1 {
		fmt.Fprintf(t.stderr, "pgtail: 1 line over %d MiB was cut to its first %d MiB\n", parse.MaxLine>>20, parse.MaxLine>>20)
	} else if n > 1 {
		fmt.Fprintf(t.stderr, "pgtail: %d lines over %d MiB were cut to their first %d MiB\n", n, parse.MaxLine>>20, parse.MaxLine>>20)
	}
	events := t.st.Summary(aggregate.Filter{}).Events
	in := t.input
	switch {
	case !in.Detected && in.Lines > 0 && in.Looks != parse.Auto && in.Looks != in.Format && events == 0:
		// A forced --format that does not match: the fix is --format,
		// not --prefix.
		fmt.Fprintf(t.stderr, "pgtail: --format=%s, but the input looks like a %s log: pass --format=%s, or leave --format out to detect it\n",
			in.Format, in.Looks, in.Looks)
	case in.Entries == 0 && in.Skipped > 0:
		fmt.Fprintln(t.stderr, "pgtail: no PostgreSQL log entry recognised in the input; if the server uses a custom log_line_prefix, pass it with --prefix='...'")
	case in.Entries > 0 && events == 0 && in.Foreign == 0:
		fmt.Fprintln(t.stderr, "pgtail: log entries were recognised, but none is a connection event (connection authorized, disconnection, a refused connection); "+
			"if the server does not log them, set log_connections = on and log_disconnections = on")
	}
	if t.input.Foreign > 0 && t.input.Localized == 0 && events == 0 {
		fmt.Fprintln(t.stderr, "pgtail: the log's messages are not in English (lc_messages); pgtail reads English and the languages of PostgreSQL's own catalogs (see the README): set lc_messages = 'C' on the server")
	} else if t.input.Foreign > t.input.Localized && t.input.Localized == 0 {
		fmt.Fprintf(t.stderr, "pgtail: %d log entries are not in English (lc_messages) and were not read; set lc_messages = 'C' on the server\n", t.input.Foreign)
	}
	// Stderr lines, also in syslog and in the envelopes (which keep the
	// hint off where they have the PID).
	if t.input.Loose > 0 && t.cmd.Prefix == "" && (t.input.Format == parse.Stderr || t.input.Format >= parse.Syslog) {
		fmt.Fprintf(t.stderr, "pgtail: log_line_prefix not recognised on %d of the connection lines; assumed a time stamp at the start and the first [number] as the PID; pass the server's setting with --prefix='...'\n", t.input.Loose)
	}
	if t.input.Year != 0 {
		fmt.Fprintf(t.stderr, "pgtail: the syslog time stamps have no year: read as %d, from %s (a month that goes back, December to January, starts the next year)\n", t.input.Year, t.input.yearFrom)
	}
	if t.st.Summary(aggregate.Filter{}).NoPID {
		fmt.Fprintf(t.stderr, "pgtail: the log has no process IDs (%s in log_line_prefix): active counts are estimated from connects minus disconnects per database and user\n", "%p or %c")
	}
}

// midLog says once when the input evidently began in the middle of the
// log: sessions ended that it never saw start. Those open before it and
// still open are missing from the active count. `tail -F` starts at the
// log's last 10 lines; `tail -n +1 -F` at its first.
func (t *tracker) midLog() {
	n := t.unseen
	if n == 0 {
		return
	}
	s := "s"
	if n == 1 {
		s = ""
	}
	fmt.Fprintf(t.stderr, "pgtail: %d session%s ended that the input never saw start: it began in the middle of the log "+
		"(or log_connections is off), so sessions open before it are not in the active count; "+
		"read the whole log from its first line, e.g. tail -n +1 -F FILE | pgtail connections\n", n, s)
}
