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
	if perEvent > 0.01 {
		t.Errorf("%.2f allocations per event line (and its %d non-event lines), want 0", perEvent, len(nonEvents))
	}
}

// TestEventAllocs: an event costs no allocation in any format, on the
// fast path and line by line: its names come from the decoder's
// interner, csvlog columns and jsonlog keys are read as views of the line.
func TestEventAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	stderr := `2026-11-30 20:56:19.946 UTC [11275] [unknown]@[unknown] LOG:  connection received: host=10.1.2.3 port=51234
2026-11-30 20:56:19.958 UTC [11275] app@prod LOG:  connection authorized: user=app database=prod application_name=pgbench
2026-11-30 20:56:19.979 UTC [11275] app@prod LOG:  statement: BEGIN;
2026-11-30 20:56:20.135 UTC [11275] app@prod LOG:  disconnection: session time: 0:00:00.191 user=app database=prod host=10.1.2.3 port=51234
2026-11-30 20:56:20.140 UTC [11276] app@prod FATAL:  sorry, too many clients already
2026-11-30 20:56:20.141 UTC [11277] app@nosuchdb FATAL:  database "nosuchdb" does not exist
`
	csv := `2026-11-30 20:56:19.946 UTC,,,11275,"[local]",6b0de2f3.2c0b,1,"",2026-11-30 20:56:19 UTC,,0,LOG,00000,"connection received: host=[local]",,,,,,,,,"","not initialized",,0
2026-11-30 20:56:19.958 UTC,"postgres","postgres",11275,"[local]",6b0de2f3.2c0b,2,"authentication",2026-11-30 20:56:19 UTC,3/1,0,LOG,00000,"connection authorized: user=postgres database=postgres application_name=createdb",,,,,,,,,"","client backend",,0
2026-11-30 20:56:19.979 UTC,"postgres","postgres",11275,"[local]",6b0de2f3.2c0b,3,"idle",2026-11-30 20:56:19 UTC,3/2,0,LOG,00000,"statement: SELECT pg_catalog.set_config('search_path', '', false);",,,,,,,,,"createdb","client backend",,0
2026-11-30 20:56:20.135 UTC,"postgres","postgres",11275,"[local]",6b0de2f3.2c0b,5,"idle",2026-11-30 20:56:19 UTC,,0,LOG,00000,"disconnection: session time: 0:00:00.191 user=postgres database=postgres host=[local]",,,,,,,,,"createdb","client backend",,0
2026-11-30 20:56:28.937 UTC,"postgres","nosuchdb",11687,"[local]",6b0de2fc.2da7,3,"startup",2026-11-30 20:56:28 UTC,3/176,0,FATAL,3D000,"database ""nosuchdb"" does not exist",,,,,,,,,"","client backend",,0
`
	json := `{"timestamp":"2026-11-30 20:56:19.946 UTC","pid":11275,"remote_host":"[local]","session_id":"6b0de2f3.2c0b","line_num":1,"ps":"","session_start":"2026-11-30 20:56:19 UTC","txid":0,"error_severity":"LOG","message":"connection received: host=[local]","backend_type":"not initialized","query_id":0}
{"timestamp":"2026-11-30 20:56:19.958 UTC","user":"postgres","dbname":"postgres","pid":11275,"remote_host":"[local]","session_id":"6b0de2f3.2c0b","line_num":2,"ps":"authentication","session_start":"2026-11-30 20:56:19 UTC","vxid":"3/1","txid":0,"error_severity":"LOG","message":"connection authorized: user=postgres database=postgres application_name=createdb","backend_type":"client backend","query_id":0}
{"timestamp":"2026-11-30 20:56:19.979 UTC","user":"postgres","dbname":"postgres","pid":11275,"remote_host":"[local]","session_id":"6b0de2f3.2c0b","line_num":3,"ps":"idle","session_start":"2026-11-30 20:56:19 UTC","vxid":"3/2","txid":0,"error_severity":"LOG","message":"statement: SELECT pg_catalog.set_config('search_path', '', false);","application_name":"createdb","backend_type":"client backend","query_id":0}
{"timestamp":"2026-11-30 20:56:20.135 UTC","user":"postgres","dbname":"postgres","pid":11275,"remote_host":"[local]","session_id":"6b0de2f3.2c0b","line_num":5,"ps":"idle","session_start":"2026-11-30 20:56:19 UTC","txid":0,"error_severity":"LOG","message":"disconnection: session time: 0:00:00.191 user=postgres database=postgres host=[local]","application_name":"createdb","backend_type":"client backend","query_id":0}
{"timestamp":"2026-11-30 20:56:28.937 UTC","user":"postgres","dbname":"nosuchdb","pid":11687,"remote_host":"[local]","session_id":"6b0de2fc.2da7","line_num":3,"ps":"startup","session_start":"2026-11-30 20:56:28 UTC","vxid":"3/176","txid":0,"error_severity":"FATAL","state_code":"3D000","message":"database \"nosuchdb\" does not exist","backend_type":"client backend","query_id":0}
`
	for _, tc := range []struct {
		name   string
		log    string
		opt    Options
		serial bool
		events int // per copy
	}{
		{"stderr", stderr, Options{}, false, 5},
		{"stderr serial", stderr, Options{}, true, 5},
		{"csvlog", csv, Options{Format: CSVLog}, false, 4},
		{"jsonlog", json, Options{Format: JSONLog}, false, 4},
	} {
		read := func(copies int) (float64, int) {
			data := []byte(strings.Repeat(tc.log, copies))
			n := 0
			allocs := testing.AllocsPerRun(3, func() {
				r := NewReader(bytes.NewReader(data), tc.opt)
				r.serial = tc.serial
				n = 0
				for range r.All() {
					n++
				}
			})
			return allocs, n
		}
		a, na := read(2000)
		b, nb := read(8000)
		if nb != 8000*tc.events || na != 2000*tc.events {
			t.Fatalf("%s: %d and %d events, want %d per copy", tc.name, na, nb, tc.events)
		}
		if per := (b - a) / float64(nb-na); per > 0.01 {
			t.Errorf("%s: %.3f allocations per event (%.0f for %d events, %.0f for %d), want 0", tc.name, per, a, na, b, nb)
		}
	}
}
