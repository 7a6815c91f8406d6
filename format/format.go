// Package format renders connection statistics as text (format.go: the
// summary, history, peak and watch views) and as JSON (json.go). It writes
// to an io.Writer and is told whether to use color; it never asks the
// terminal.
package format

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/fatih/color"

	"github.com/pgtail/pgtail/aggregate"
	"github.com/pgtail/pgtail/parse"
)

// Clean makes a client-controlled name safe for a terminal: control
// characters, escape sequences, invalid UTF-8 and invisible format
// characters (bidi overrides) are written as visible escapes (\x1b, \u202e).
func Clean(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return clean(s)
		}
	}
	return s
}

func clean(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x80 && (r < 0x20 || r == 0x7f):
			fmt.Fprintf(&b, `\x%02x`, r)
		case r >= 0x80 && !unicode.IsGraphic(r) || unicode.Is(unicode.Cf, r):
			q := strconv.QuoteRuneToASCII(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// Filters name what the header says is shown.
func filterPhrase(f aggregate.Filter) string {
	var parts []string
	if f.DB != "" {
		parts = append(parts, "to '"+Clean(f.DB)+"'")
	}
	if f.User != "" {
		parts = append(parts, "for user '"+Clean(f.User)+"'")
	}
	if f.App != "" {
		parts = append(parts, "from '"+Clean(f.App)+"'")
	}
	return strings.Join(parts, " ")
}

// errWriter keeps the first write error, so rendering code stays linear.
type errWriter struct {
	w   *bufio.Writer
	err error
}

func newErrWriter(w io.Writer) *errWriter {
	return &errWriter{w: bufio.NewWriter(w)}
}

func (e *errWriter) printf(format string, a ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, a...)
	}
}

func (e *errWriter) flush() error {
	if e.err == nil {
		e.err = e.w.Flush()
	}
	return e.err
}

// Empty is the text shown when no connection event was seen.
const Empty = "No connection data available.\nStart tailing a log with `tail` to begin tracking connections.\n"

// EmptyLive is the text shown when no connection event is recorded yet
// while a tracker runs (just started, or just cleared): the user has
// nothing to start.
const EmptyLive = "No connection data available yet.\nA running pgtail is reading a log; its connections will show here as it reads them.\n"

// Summary writes the default view.
func Summary(w io.Writer, s aggregate.Summary, f aggregate.Filter) error {
	return summary(w, s, f, Empty)
}

// SummaryLive writes the default view of a tracker's record while it runs.
func SummaryLive(w io.Writer, s aggregate.Summary, f aggregate.Filter) error {
	return summary(w, s, f, EmptyLive)
}

func summary(w io.Writer, s aggregate.Summary, f aggregate.Filter, empty string) error {
	e := newErrWriter(w)
	if s.Events == 0 {
		e.printf("%s", empty)
		return e.flush()
	}
	if p := filterPhrase(f); p != "" {
		e.printf("Active connections %s: %d\n", p, s.Active)
	} else {
		e.printf("Active connections: %d\n", s.Active)
	}
	sections := []struct {
		title    string
		rows     []aggregate.Row
		filtered bool
	}{
		{"By database:", s.ByDB, f.DB != ""},
		{"By user:", s.ByUser, f.User != ""},
		{"By application:", s.ByApp, f.App != ""},
	}
	// One column for the shown sections: names left, counts right, aligned.
	nameW, countW := 10, 4
	for _, sec := range sections {
		if sec.filtered {
			continue
		}
		for _, r := range sec.rows {
			nameW = max(nameW, len(Clean(r.Name)))
			countW = max(countW, len(strconv.Itoa(r.Count)))
		}
	}
	for _, sec := range sections {
		if sec.filtered || len(sec.rows) == 0 {
			continue
		}
		e.printf("\n%s\n", sec.title)
		for _, r := range sec.rows {
			e.printf("  %-*s  %*d\n", nameW, Clean(r.Name), countW, r.Count)
		}
	}
	// Sessions a server reset ended left no disconnection line: said when
	// there are any, so connects − disconnects − ended = active for a log
	// that starts with the server.
	e.printf("\nSession totals: %d connects, %d disconnects", s.Connects, s.Disconnects)
	for _, r := range s.Ended {
		e.printf(", %d ended by server %s", r.Count, Clean(r.Name))
	}
	e.printf("\n")
	if s.Failures > 0 {
		parts := make([]string, len(s.FailuresByReason))
		for i, r := range s.FailuresByReason {
			parts[i] = fmt.Sprintf("%s %d", Clean(r.Name), r.Count)
		}
		e.printf("Connection failures: %d (%s)\n", s.Failures, strings.Join(parts, ", "))
	}
	return e.flush()
}

var sparks = []rune("▁▂▃▄▅▆▇█")

// History writes the --history view.
func History(w io.Writer, h aggregate.History, f aggregate.Filter) error {
	e := newErrWriter(w)
	title := "Connection history"
	if p := filterPhrase(f); p != "" {
		title += " " + p
	}
	e.printf("%s (last %s)\n\n", title, span(h.Window))
	e.printf("Total: %d connects, %d disconnects (%+d net)\n\n", h.Connects, h.Disconnects, h.Connects-h.Disconnects)
	e.printf("Timeline (%s buckets):\n", unit(h.Bucket))
	layout := "15:04"
	if h.Bucket%time.Minute != 0 {
		layout = "15:04:05"
	}
	if h.Window > 24*time.Hour || h.Bucket >= 24*time.Hour {
		layout = "2006-01-02 " + layout
	}
	activeW := 1
	for _, r := range h.Rows {
		activeW = max(activeW, len(strconv.Itoa(r.Active)))
	}
	for i, r := range h.Rows {
		e.printf("%s  %*d active", r.Start.Format(layout), activeW, r.Active)
		if i > 0 {
			if r.Change == 0 {
				e.printf(" (±0)")
			} else {
				e.printf(" (%+d)", r.Change)
			}
		}
		if r.Leak {
			e.printf("  ← leak detected")
		}
		e.printf("\n")
	}
	e.printf("\nTrend: %s  %+d net\n", trend(h.Rows), h.Connects-h.Disconnects)
	return e.flush()
}

// trend is one sparkline glyph per history row, scaled between the
// lowest and the highest row.
func trend(rows []aggregate.HistoryRow) string {
	lo, hi := 0, 0
	for i, r := range rows {
		if i == 0 || r.Active < lo {
			lo = r.Active
		}
		if i == 0 || r.Active > hi {
			hi = r.Active
		}
	}
	var b strings.Builder
	for _, r := range rows {
		g := 0
		if hi > lo {
			g = ((r.Active-lo)*(len(sparks)-1)*2 + (hi - lo)) / ((hi - lo) * 2) // rounded
		}
		b.WriteRune(sparks[g])
	}
	return b.String()
}

// span says a window's length: "60 min", "24 h".
func span(d time.Duration) string {
	switch {
	case d >= 2*time.Hour && d%time.Hour == 0:
		return fmt.Sprintf("%d h", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%d min", d/time.Minute)
	}
	return d.String()
}

// unit says a bucket's length as an adjective: "15-min", "1-h".
func unit(d time.Duration) string {
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return fmt.Sprintf("%d-h", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%d-min", d/time.Minute)
	}
	return d.String()
}

// peakTimeLayout is how the text views show the peak's time.
const peakTimeLayout = "2006-01-02 15:04:05.000 MST"

// Peak writes the peak line(s) of the text views:
//
//	Peak: 97 active at 2026-11-24 10:46:00.004 UTC (peak 97 of 100, 3 free)
//	Saturated: 9 connections refused with "too many clients", 2026-… to 2026-…
//
// maxConn 0 means unknown.
func Peak(w io.Writer, p aggregate.Peak, sat aggregate.Saturation, maxConn int) error {
	e := newErrWriter(w)
	e.printf("Peak: %d active", p.Active)
	if !p.Time.IsZero() {
		e.printf(" at %s", p.Time.Format(peakTimeLayout))
	}
	if maxConn > 0 {
		e.printf(" (peak %d of %d, %d free)", p.Active, maxConn, maxConn-p.Active)
	}
	e.printf("\n")
	if sat.Count > 0 {
		s := "s"
		if sat.Count == 1 {
			s = ""
		}
		e.printf("Saturated: %d connection%s refused with \"too many clients\"", sat.Count, s)
		if !sat.First.IsZero() {
			if sat.First.Equal(sat.Last) {
				e.printf(" at %s", sat.First.Format(peakTimeLayout))
			} else {
				e.printf(", %s to %s", sat.First.Format(peakTimeLayout), sat.Last.Format(peakTimeLayout))
			}
		}
		e.printf("\n")
	}
	return e.flush()
}

// Colors are the tags of the watch view.
type Colors struct {
	connect, disconnect, failure *color.Color
}

// NewColors returns the watch tags' colors, on or off.
func NewColors(on bool) Colors {
	c := Colors{color.New(color.FgGreen), color.New(color.FgYellow), color.New(color.FgRed)}
	for _, x := range []*color.Color{c.connect, c.disconnect, c.failure} {
		if on {
			x.EnableColor()
		} else {
			x.DisableColor()
		}
	}
	return c
}

// Watch writes one event of the --watch view as one line. It writes
// nothing for events the view does not show (a lone "connection
// received", a reset that ended no session).
func Watch(w io.Writer, o aggregate.Outcome, c Colors) error {
	ev := o.Event
	var b strings.Builder
	tag := func(col *color.Color, s string) {
		b.WriteString(col.Sprint(s))
		if !ev.Time.IsZero() {
			b.WriteString(" " + ev.Time.Format("15:04:05"))
		}
		b.WriteString(" ")
	}
	switch ev.Kind {
	case parse.Connect:
		tag(c.connect, "[+]")
		b.WriteString(Clean(ev.App) + " connected")
		if ev.Host != "" {
			b.WriteString(" from " + Clean(ev.Host))
		}
		fmt.Fprintf(&b, " (user: %s, db: %s)", Clean(ev.User), Clean(ev.DB))
	case parse.Disconnect:
		tag(c.disconnect, "[-]")
		fmt.Fprintf(&b, "%s disconnected (duration: %s, user: %s, db: %s)", Clean(ev.App), sessionTime(ev.Duration), Clean(ev.User), Clean(ev.DB))
	case parse.Failure:
		tag(c.failure, "[!]")
		b.WriteString("Connection failed: " + Clean(ev.Reason))
		var who []string
		if ev.User != "" {
			who = append(who, "user: "+Clean(ev.User))
		}
		if ev.DB != "" {
			who = append(who, "db: "+Clean(ev.DB))
		}
		if ev.Host != "" {
			who = append(who, "host: "+Clean(ev.Host))
		}
		if len(who) > 0 {
			b.WriteString(" (" + strings.Join(who, ", ") + ")")
		}
		if o.Retracted {
			// Refused after "connection authorized": its [+] never opened.
			if o.RetractedAt.IsZero() {
				b.WriteString(" — withdraws the [+] above: never a session")
			} else {
				b.WriteString(" — withdraws the [+] at " + o.RetractedAt.Format("15:04:05") + ": never a session")
			}
		}
	case parse.Reset:
		if o.Ended == 0 {
			return nil
		}
		tag(c.failure, "[!]")
		s := "s"
		if o.Ended == 1 {
			s = ""
		}
		fmt.Fprintf(&b, "Server %s: %d open session%s ended", ev.Reason, o.Ended, s)
	default:
		return nil
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// sessionTime formats a session time: "2.3s" under a minute, else rounded to
// the second ("1h2m3s").
func sessionTime(d time.Duration) string {
	if d.Round(100*time.Millisecond) < time.Minute {
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + "s"
	}
	return d.Round(time.Second).String()
}
