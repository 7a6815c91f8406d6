package parse_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/pgtail/pgtail/parse"
)

// fuzzReaders are the readers FuzzReader drives on every input. A new
// log format (csvlog, jsonlog, syslog) is one more entry here plus its
// seeds in fuzzSeeds; the checks in checkReader apply to all of them.
var fuzzReaders = []struct {
	name string
	opt  func(prefix string) parse.Options
	// lines: Stats.Lines counts every line of the input. csvlog counts
	// the lines of the records it read, which ends short of a malformed
	// tail.
	lines bool
	// literal: names are copied from the input byte for byte. csvlog
	// un-doubles quotes and jsonlog unescapes; FuzzCSV and FuzzJSON
	// check their names.
	literal bool
}{
	{"stderr auto", func(string) parse.Options { return parse.Options{} }, true, true},
	{"stderr --prefix", func(p string) parse.Options { return parse.Options{Format: parse.Stderr, Prefix: p} }, true, true},
	{"csvlog", func(string) parse.Options { return parse.Options{Format: parse.CSVLog} }, false, false},
	{"jsonlog", func(string) parse.Options { return parse.Options{Format: parse.JSONLog} }, true, false},
	{"syslog", func(p string) parse.Options { return parse.Options{Format: parse.Syslog, Prefix: p} }, true, true},
}

// fuzzPrefixes are the log_line_prefix values of the spec and the
// reference, plus hostile ones: padding, %q, a dangling % and -.
var fuzzPrefixes = []string{
	"%m [%p] ", "%m [%p] %q%u@%d ", "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",
	"%t:%r:%u@%d:[%p]:", "%t-%c-", "%m %c ", "%n [%p] ", "%t [%p-%l] %q%u@%d ",
	"%-10u %5p %d|", "%%%q%a%", "%-", "%999999999999999999999p ", "", "%p%p%p%u%u%d%d",
}

// fuzzSeeds returns each sample log whole, every line of the short ones,
// and a few hostile shapes.
func fuzzSeeds(tb testing.TB) [][]byte {
	logs, err := filepath.Glob("../testdata/logs/*.log")
	if err != nil || len(logs) == 0 {
		tb.Fatalf("no sample logs: %v", err)
	}
	var seeds [][]byte
	for _, name := range logs {
		data, err := os.ReadFile(name)
		if err != nil {
			tb.Fatal(err)
		}
		seeds = append(seeds, data)
		if bytes.Count(data, []byte("\n")) > 100 {
			continue // whole only: a seed per line of the big logs makes go test slow
		}
		for line := range bytes.Lines(data) {
			seeds = append(seeds, line)
		}
	}
	for _, s := range []string{
		"2026-11-24 10:01:00.005 UTC [201] a@b LOG:  connection authorized: user=\x1b]0;pwn\x07 database=\xff\x00 application_name=\u202e\r\n",
		"2026-11-24 10:01:00 UTC [99999999999999999999] LOG:  connection authorized: user=a database=b\n",
		"[1] LOG:  disconnection: session time: 999999999:59:59.999 user=a database=b host=c port=1\n",
		"2026-11-24 10:01:00.005 UTC [7] FATAL:  role \"\" does not exist\n\x00\n\r\n\t\n",
		"LOG:  connection received: host= port=\nFATAL:  database \"",
	} {
		seeds = append(seeds, []byte(s))
	}
	return seeds
}

func FuzzReader(f *testing.F) {
	for i, s := range fuzzSeeds(f) {
		f.Add(s, fuzzPrefixes[i%len(fuzzPrefixes)])
	}
	for _, l := range strings.Split(debianLog, "\n") {
		f.Add([]byte(l+"\n"), "")
	}
	for _, s := range []struct{ line, prefix string }{
		{up + "LOG:  connection authorized: user=alice database=appdb application_name=psql" + sslSuffix, ""},
		{up + "LOG:  disconnection: session time: 123:04:05.678 user=alice database=appdb host=::1 port=38126", ""},
		{"2024-01-01 12:00:00 UTC:::1(38126):alice@appdb:[12345]:FATAL:  password authentication failed for user \"alice\"", ""},
		{"2024-01-01 12:00:00 UTC [12345]: [3-1] user=alice,db=appdb,app=psql,client=10.0.0.5 LOG:  disconnection: session time: 0:00:05.000 user=alice database=appdb host=10.0.0.5 port=54321", ""},
		{"2024-01-01 12:00:00 UTC-65a1b2c3.1a2b-LOG:  connection received: host=10.0.0.5 port=5432", ""},
		{"[2026-11-25 21:41:16.713 CET] [16044] LOG:  connection authorized: user=alice database=appdb", ""},
		{"2026-11-25 21:41:16 UTC [  123] alice     @appdb    FATAL:  too many connections for role \"alice\"", "%t [%5p] %-10u@%-8d "},
		{"2026-11-25 21:41:16.694 CET 6b0747ec.3eac app=psql LOG:  disconnection: session time: 0:00:00.032 user=alice database=appdb host=[local]", "%m %c app=%a "},
		{"2026-11-26 02:26:16.713 +0545 [16044] LOG:  00000: connection authorized: user=a database=b\r\n", ""},
	} {
		f.Add([]byte(s.line+"\n"), s.prefix)
	}
	f.Fuzz(func(t *testing.T, data []byte, prefix string) {
		for _, r := range fuzzReaders {
			checkReader(t, r.name, data, r.opt(prefix), r.lines, r.literal)
		}
	})
}

func readEvents(r io.Reader, opt parse.Options) ([]parse.Event, parse.Stats, error) {
	pr := parse.NewReader(r, opt)
	var evs []parse.Event
	for ev, err := range pr.All() {
		if err != nil {
			return evs, pr.Stats(), err
		}
		evs = append(evs, *ev)
	}
	return evs, pr.Stats(), nil
}

// piecesIn reports whether every line of s is in the input in.
func piecesIn(in, s string) bool {
	for piece := range strings.SplitSeq(s, "\n") {
		if !strings.Contains(in, piece) {
			return false
		}
	}
	return true
}

// sameStats compares the Stats of two reads of one input; without exact
// counts, of Entries only whether it is zero, and not Skipped or Foreign.
func sameStats(a, b parse.Stats, exact bool) bool {
	if !exact {
		if (a.Entries == 0) != (b.Entries == 0) {
			return false
		}
		a.Entries, a.Skipped, a.Foreign = b.Entries, b.Skipped, b.Foreign
	}
	return a == b
}

// checkReader checks what must hold for any input: no panic, no error
// but io.EOF from an in-memory input, values copied from the input,
// line numbers within it, and the same events however the input is cut
// into reads or whether its lines end in CR LF.
func checkReader(t *testing.T, name string, data []byte, opt parse.Options, exactLines, literal bool) {
	evs, stats, err := readEvents(bytes.NewReader(data), opt)
	if errors.Is(err, parse.ErrUnknownJSON) || errors.Is(err, parse.ErrMalformed) {
		return // a JSON document of unknown keys, or one broken off: a clear error, not garbage read as names
	}
	if err != nil {
		t.Fatalf("%s: Read error on in-memory input: %v", name, err)
	}
	lines := bytes.Count(data, []byte("\n"))
	if len(data) > 0 && data[len(data)-1] != '\n' {
		lines++
	}
	if exactLines && stats.Lines != lines {
		t.Errorf("%s: Stats.Lines = %d, want %d", name, stats.Lines, lines)
	}
	in := string(data)
	// An envelope detected on the way (journald or Docker JSON, CRI
	// partial lines) unescapes or joins: its names are not byte for byte
	// in the input.
	literal = literal && (stats.Format == parse.Stderr || stats.Format == parse.Syslog)
	// A translated event is read from its English text, rebuilt from the
	// captures: a capture holding an English marker (" database=") splits
	// there, into pieces of the input that are not one piece of it.
	literal = literal && stats.Localized == 0
	prev := 0
	for i, ev := range evs {
		if strings.HasPrefix(ev.Kind.String(), "Kind(") {
			t.Errorf("%s: event %d: bad kind %v", name, i, ev.Kind)
		}
		if ev.Line <= prev || ev.Line > lines {
			t.Errorf("%s: event %d: Line %d after %d, input has %d lines", name, i, ev.Line, prev, lines)
		}
		prev = ev.Line
		if ev.PID < 0 {
			t.Errorf("%s: event %d: negative PID %d", name, i, ev.PID)
		}
		if ev.Duration < 0 {
			t.Errorf("%s: event %d: negative duration %v", name, i, ev.Duration)
		}
		for _, v := range []struct{ field, s string }{
			{"User", ev.User}, {"DB", ev.DB}, {"App", ev.App}, {"Host", ev.Host}, {"Port", ev.Port},
		} {
			if v.field == "DB" && ev.Replication && v.s == parse.ReplicationDB {
				continue
			}
			// A name holding a newline is read from several lines: each
			// piece is in the input, but not the whole (a newline in a
			// message is written "\n\t", read without the TAB; syslog
			// puts its header before each line).
			if literal && !piecesIn(in, v.s) {
				t.Errorf("%s: event %d: %s %q is not in the input", name, i, v.field, v.s)
			}
		}
		if (ev.Kind == parse.Failure || ev.Kind == parse.Reset) && ev.Reason == "" {
			t.Errorf("%s: event %d: %v without a reason", name, i, ev.Kind)
		}
	}

	// Cut into one-byte reads: the same events and counts. Without
	// Options.ExactCounts, Entries, Skipped and Foreign count what the
	// stderr fast path looked at (Stats), which depends on where the
	// blocks end; only whether an entry was recognised at all may not.
	evs1, stats1, err := readEvents(iotest.OneByteReader(bytes.NewReader(data)), opt)
	if err != nil {
		t.Fatalf("%s: OneByteReader: %v", name, err)
	}
	if !reflect.DeepEqual(evs, evs1) || !sameStats(stats, stats1, opt.ExactCounts) {
		t.Errorf("%s: one-byte reads differ:\n whole: %+v %+v\n 1byte: %+v %+v", name, evs, stats, evs1, stats1)
	}
	if !opt.ExactCounts {
		exact := opt
		exact.ExactCounts = true
		_, sx, err := readEvents(bytes.NewReader(data), exact)
		_, sx1, err1 := readEvents(iotest.OneByteReader(bytes.NewReader(data)), exact)
		if err == nil && err1 == nil && sx != sx1 {
			t.Errorf("%s: one-byte reads differ in exact counts:\n whole: %+v\n 1byte: %+v", name, sx, sx1)
		}
	}

	// CR LF line endings: the same events.
	if !bytes.ContainsRune(data, '\r') {
		crlf := bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))
		evs2, _, err := readEvents(bytes.NewReader(crlf), opt)
		if err != nil {
			t.Fatalf("%s: CRLF: %v", name, err)
		}
		if !reflect.DeepEqual(evs, evs2) {
			t.Errorf("%s: CR LF endings differ:\n LF:   %+v\n CRLF: %+v", name, evs, evs2)
		}
	}

	// An error in the middle of the input: what came before it is kept,
	// as if the input ended there (an entry whose names hold a newline may
	// go on past the cut: it is not complete before it).
	if n := len(data) / 2; n > 0 {
		cut := bytes.LastIndexByte(data[:n], '\n') + 1
		evs3, _, err := readEvents(io.MultiReader(bytes.NewReader(data[:cut]), iotest.ErrReader(errCut)), opt)
		if !errors.Is(err, errCut) {
			t.Fatalf("%s: error at byte %d: got %v, want it passed on", name, cut, err)
		}
		want, _, err := readEvents(bytes.NewReader(data[:cut]), opt)
		if err == nil && !reflect.DeepEqual(evs3, want) {
			t.Errorf("%s: error at byte %d: %d events before it, want %d:\n got  %+v\n want %+v", name, cut, len(evs3), len(want), evs3, want)
		}
	}
}

var errCut = errors.New("cut")
