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
	if t.input.Entries == 0 && t.input.Skipped > 0 {
		fmt.Fprintln(t.stderr, "pgtail: no PostgreSQL log entry recognised in the input; if the server uses a custom log_line_prefix, pass it with --prefix='...'")
	}
	events := t.st.Summary(aggregate.Filter{}).Events
	if t.input.Foreign > 0 && t.input.Localized == 0 && events == 0 {
		fmt.Fprintln(t.stderr, "pgtail: the log's messages are not in English (lc_messages); pgtail reads English and the languages of PostgreSQL's own catalogs (see the README): set lc_messages = 'C' on the server")
	} else if t.input.Foreign > t.input.Localized && t.input.Localized == 0 {
		fmt.Fprintf(t.stderr, "pgtail: %d log entries are not in English (lc_messages) and were not read; set lc_messages = 'C' on the server\n", t.input.Foreign)
	}
	if t.input.Loose > 0 && t.cmd.Prefix == "" && (t.input.Format == parse.Stderr || t.input.Format == parse.Syslog) {
		fmt.Fprintf(t.stderr, "pgtail: log_line_prefix not recognised on %d of the connection lines; assumed a time stamp at the start and the first [number] as the PID; pass the server's setting with --prefix='...'\n", t.input.Loose)
	}
	if t.st.Summary(aggregate.Filter{}).NoPID {
		fmt.Fprintf(t.stderr, "pgtail: the log has no process IDs (%s in log_line_prefix): active counts are estimated from connects minus disconnects per database and user\n", "%p or %c")
	}
}
