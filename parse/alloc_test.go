package parse

import (
	"bytes"
	"strings"
	"testing"
)

// These guard the hot path against allocations, which stay stable on a
// noisy machine where wall time does not: a line that is not an event
// costs no allocation, an event a few (its strings).

var nonEvents = []string{
	"2026-11-24 10:00:00.000 UTC [201] app@prod LOG:  statement: UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid = 7;",
	"2026-11-24 10:00:00.000 UTC [201] app@prod LOG:  statement: select 'connection authorized: user=evil database=x'",
	"2026-11-24 10:00:00.000 UTC [201] app@prod ERROR:  relation \"no_such_table\" does not exist at character 15",
	"2026-11-24 10:00:00.000 UTC [201] app@prod STATEMENT:  SELECT * FROM no_such_table;",
	"2026-11-24 10:00:00.000 UTC [201] app@prod FATAL:  terminating connection due to administrator command",
	"2026-11-24 10:00:00.000 UTC [100] LOG:  checkpoint starting: time",
	"2026-11-24 10:00:00.000 UTC [100] LOG:  database system is ready to accept connections",
	"\tconnection authorized: user=evil database=x",
	"not a log line at all",
	"",
}

func TestParseLineAllocs(t *testing.T) {
	d := lineDecoder()
	for _, line := range nonEvents {
		b := []byte(line)
		var ev Event
		if n := testing.AllocsPerRun(100, func() { d.parseLine(b, &ev) }); n != 0 {
			t.Errorf("%.1f allocations for %q, want 0", n, line)
		}
	}
}

// readAllocs returns the allocations of reading data to the end.
func readAllocs(data []byte) float64 {
	return testing.AllocsPerRun(3, func() {
		for range NewReader(bytes.NewReader(data), Options{}).All() {
		}
	})
}

func TestReaderAllocsPerLine(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	conn := "2026-11-24 10:00:00.000 UTC [201] app@prod LOG:  connection authorized: user=app database=prod application_name=rails\n"
	one := conn + strings.Join(nonEvents, "\n") + "\n"
	small := []byte(strings.Repeat(one, 4000))  // ~4 MB
	large := []byte(strings.Repeat(one, 16000)) // ~16 MB: more blocks than are in flight
	a, b := readAllocs(small), readAllocs(large)
	lines := float64(12000 * (len(nonEvents) + 1))
	// Per extra line: the event lines' allocations spread over all lines.
	perLine := (b - a) / lines
	perEvent := (b - a) / 12000
	t.Logf("allocs: %.0f for %d MB, %.0f for %d MB; %.3f per line, %.2f per event", a, len(small)>>20, b, len(large)>>20, perLine, perEvent)
	// Without events: only the blocks in flight are allocated, whatever the size.
	quiet := strings.Join(nonEvents, "\n") + "\n"
	a, b = readAllocs([]byte(strings.Repeat(quiet, 4000))), readAllocs([]byte(strings.Repeat(quiet, 16000)))
	t.Logf("no events: %.0f allocs for 4000 copies, %.0f for 16000", a, b)
	if b-a > maxBlocks+2 {
		t.Errorf("%.0f more allocations for 12000*%d more lines without events, want <= %d (0 per line)", b-a, len(nonEvents), maxBlocks+2)
	}
	if perEvent > 4 {
		t.Errorf("%.2f allocations per event line (and its %d non-event lines), want <= 4", perEvent, len(nonEvents))
	}
}
