package parse

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

// TestBufferedNeverWaits reads a stream that stops in the middle (a pipe
// that stays open): Buffered must be true for the events a worker read,
// and false before any Read that would wait for input. The tracker holds
// its lock while Buffered is true, so a wrong true would hold it until
// the next line is written. The last line is an authentication failure,
// whose DETAIL the decoder looks for on the next line: reading it waits.
func TestBufferedNeverWaits(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	r := NewReader(pr, Options{})
	line := func(i int, msg string) string {
		return fmt.Sprintf("2026-11-30 20:56:%02d.%03d UTC [%d] alice@appdb LOG:  %s\n", i/1000%60, i%1000, 1000+i, msg)
	}
	write := func(s string) {
		go func() {
			if _, err := pw.Write([]byte(s)); err != nil {
				t.Error(err)
			}
		}()
	}
	read := func(what string) Event {
		t.Helper()
		type res struct {
			ev  Event
			err error
		}
		c := make(chan res, 1)
		go func() { ev, err := r.Read(); c <- res{ev, err} }()
		select {
		case x := <-c:
			if x.err != nil {
				t.Fatalf("%s: %v", what, x.err)
			}
			return x.ev
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: Read waits", what)
		}
		return Event{}
	}
	// The first block: the decoder finds the prefix, which the workers
	// read the next blocks' events with.
	write(line(0, "connection authorized: user=alice database=appdb") + line(1, "disconnection: session time: 0:00:00.002 user=alice database=appdb host=[local]"))
	read("first event")
	read("second event")
	if r.Buffered() {
		t.Fatal("Buffered at the end of what was written")
	}
	const n = 50
	connects := func(from int) string {
		var b strings.Builder
		for i := from; i < from+n; i++ {
			b.WriteString(line(i, "statement: select 1"))
			b.WriteString(line(i, "connection authorized: user=alice database=appdb application_name=psql"))
		}
		return b.String()
	}
	readConnects := func(from int) {
		t.Helper()
		buffered := 0
		for i := from; i < from+n; i++ {
			if ev := read("a connect"); ev.Kind != Connect || ev.PID != 1000+i {
				t.Fatalf("event %d: %+v", i, ev)
			}
			if r.Buffered() {
				buffered++
			}
		}
		if buffered == 0 {
			t.Fatal("no event was buffered: the workers read none")
		}
	}
	write(connects(2))
	readConnects(2)
	if r.Buffered() {
		t.Fatal("Buffered at the end of what was written")
	}
	write(connects(n+2) + strings.Replace(line(2*n+2, `password authentication failed for user "alice"`), "LOG:", "FATAL:", 1))
	readConnects(n + 2)
	if r.Buffered() {
		t.Fatal("Buffered before the failure, whose DETAIL is looked for on a line not written yet")
	}
	pw.Close()
	if ev := read("the failure"); ev.Kind != Failure {
		t.Fatalf("last event %+v", ev)
	}
}
