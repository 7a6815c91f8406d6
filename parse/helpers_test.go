package parse

import (
	"bufio"
	"fmt"
	"strings"
	"testing"
	"time"
)

// readAll returns every event of input, read with opt.
func readAll(t testing.TB, input string, opt Options) ([]Event, Stats) {
	t.Helper()
	r := NewReader(strings.NewReader(input), opt)
	var evs []Event
	for ev, err := range r.All() {
		if err != nil {
			t.Fatalf("Read: %v", err)
		}
		evs = append(evs, *ev)
	}
	return evs, r.Stats()
}

// lineDecoder returns a stderr decoder over an empty input, for tests
// that parse single lines.
func lineDecoder() *stderrDecoder {
	st := &Stats{}
	src := newLineReader(bufio.NewReader(strings.NewReader("")), st)
	return &stderrDecoder{src: src, st: st, ps: newPrefixSet("")}
}

// show renders an event compactly for comparison: only the set fields.
func show(ev Event) string {
	var b strings.Builder
	b.WriteString(ev.Kind.String())
	if !ev.Time.IsZero() {
		b.WriteString(" " + ev.Time.Format("2006-01-02T15:04:05.000Z07:00"))
	}
	add := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, " %s=%q", k, v)
		}
	}
	if ev.PID != 0 {
		fmt.Fprintf(&b, " pid=%d", ev.PID)
	}
	fmt.Fprintf(&b, " line=%d", ev.Line)
	add("user", ev.User)
	add("db", ev.DB)
	add("app", ev.App)
	add("host", ev.Host)
	add("port", ev.Port)
	add("reason", ev.Reason)
	if ev.Duration != 0 {
		b.WriteString(" dur=" + ev.Duration.String())
	}
	if ev.SetupTime != 0 {
		b.WriteString(" setup=" + ev.SetupTime.String())
	}
	if ev.AfterAuth {
		b.WriteString(" afterauth")
	}
	if ev.Replication {
		b.WriteString(" repl")
	}
	return b.String()
}

func showAll(evs []Event) string {
	var s []string
	for _, ev := range evs {
		s = append(s, show(ev))
	}
	return strings.Join(s, "\n")
}

var _ = time.Second

func check(t *testing.T, got []Event, want ...string) {
	t.Helper()
	g, w := showAll(got), strings.Join(want, "\n")
	if g != w {
		t.Errorf("events:\n got:\n%s\nwant:\n%s", g, w)
	}
}
