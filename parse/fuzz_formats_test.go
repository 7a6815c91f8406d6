package parse

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"
)

// fuzzRead reads every event of data with opt, whole or one byte at a
// time.
func fuzzRead(data []byte, opt Options, oneByte bool) []Event {
	var in io.Reader = bytes.NewReader(data)
	if oneByte {
		in = iotest.OneByteReader(in)
	}
	var evs []Event
	for ev, err := range NewReader(in, opt).All() {
		if err != nil {
			break
		}
		evs = append(evs, *ev)
	}
	return evs
}

// checkEvents holds for any input: no panic, names come from the input,
// whole and byte-wise reading agree.
func checkEvents(t *testing.T, data []byte, opt Options) {
	whole := fuzzRead(data, opt, false)
	for _, ev := range whole {
		for _, s := range []string{ev.User, ev.DB} {
			if s != "" && s != ReplicationDB && !bytes.Contains(data, []byte(s)) && !localized(data) && utf8.Valid(data) &&
				!bytes.Contains(data, []byte(`"MESSAGE":[`)) && // journald: a message as an array of bytes
				!bytes.Contains(data, []byte(strings.ReplaceAll(s, `"`, `""`))) && bytes.IndexByte(data, '\\') < 0 {
				t.Fatalf("name %q is not in the input", s)
			}
		}
		if ev.Line < 0 || ev.Line > bytes.Count(data, []byte("\n"))+1 {
			t.Fatalf("Line %d past the input's %d lines", ev.Line, bytes.Count(data, []byte("\n"))+1)
		}
	}
	bytewise := fuzzRead(data, opt, true)
	if g, w := showAll(bytewise), showAll(whole); g != w {
		t.Fatalf("one byte at a time:\n%s\nwhole:\n%s", g, w)
	}
}

// localized inputs are rewritten before parsing ("»x«" becomes "\"x\""),
// so names may differ from the raw bytes only in their quotes.
func localized(data []byte) bool {
	return bytes.Contains(data, []byte("»")) || bytes.Contains(data, []byte("«"))
}

func seedLogs(f *testing.F, exts ...string) {
	f.Helper()
	files, _ := filepath.Glob("../testdata/logs/*")
	for _, name := range files {
		ok := false
		for _, e := range exts {
			ok = ok || strings.HasSuffix(name, e)
		}
		if !ok {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			continue
		}
		for _, line := range strings.SplitAfter(string(b), "\n") {
			f.Add([]byte(line), "")
		}
	}
}

// FuzzPrefix compiles a log_line_prefix and reads a line with it.
func FuzzPrefix(f *testing.F) {
	for _, p := range knownPrefixes {
		f.Add(p, "2026-11-25 21:41:16.713 UTC [9] alice@appdb LOG:  connection authorized: user=alice database=appdb")
	}
	f.Add("%t [%5p]: [%l-1] user=%-12u,db=%-12d,app=%a,client=%h ", "2026-11-25 21:54:18 UTC [31410]: [1-1] user=alice       ,db=appdb       ,app=psql,client=[local] FATAL:  sorry, too many clients already")
	f.Add("%t:%r:%u@%d:[%p]:", "2024-01-01 12:00:00 UTC:::1(38126):alice@appdb:[12345]:FATAL:  sorry, too many clients already")
	f.Add("%m %b %i %L %Q %v %x %e %s %n %c %P %%", "x")
	f.Add("%m [%p] %q%u@%d ", "2026-11-30 20:56:19.958 UTC [11275] postgres@bench LOG:  connection authorized: user=postgres database=bench")
	f.Add("%m [%p] %q%u@%d ", "2026-11-30 20:56:19.958 UTC [11275] a@b@c [x] LOG:  statement: select 1")
	f.Add("%m [%p] %q%u@%d ", "2026-11-30 20:56:19.958 UTC [11275] LOG:  checkpoint starting: time")
	f.Add("%t [%p]: user=%u,db=%d,app=%a,client=%h ", "2026-11-30 20:56:19 UTC [11275]: user=a,db=b,app=c,client= LOG:  x")
	f.Add("%m [%p] ", "2026-11-30 [1] 20:56:19.958 UTC [11275] LOG:  x") // the literal inside a time stamp's shortest length
	f.Add("%t[%p] ", "2026-11-30 20:56:19 Z[1] [2] LOG:  x")
	f.Fuzz(func(t *testing.T, prefix, line string) {
		p := compilePrefix(prefix)
		var fl fields
		var zc zoneCache
		p.match([]byte(line), &fl, &zc)
		// The greedy match finds what the search finds, where it finds anything.
		b := []byte(line)
		if _, word, _ := lineSeverity(b); word > 0 {
			b = b[:word]
		}
		var g, s fields
		if p.greedy && p.matchGreedy(b, &g, &zc) && (!p.search(b, &s, &zc) || !reflect.DeepEqual(g, s)) {
			t.Fatalf("prefix %q on %q: greedy %+v, search %+v", prefix, b, g, s)
		}
		checkEvents(t, []byte(line+"\n"), Options{Prefix: prefix})
	})
}

// FuzzFastPath reads arbitrary bytes as stderr line by line and on the
// fast path (whole, in half reads, with the error on the last read, one
// byte at a time): the same events and counts (checkSame).
func FuzzFastPath(f *testing.F) {
	seedLogs(f, ".log") // every line of every sample log
	f.Add([]byte("2026-11-24 10:01:00.005 UTC [201] a\nb@c LOG:  connection authorized: user=a\nb database=c\n"), "%m [%p] %q%u@%d ")
	f.Fuzz(func(t *testing.T, data []byte, prefix string) {
		checkSame(t, data, Options{})
		if prefix != "" {
			checkSame(t, data, Options{Prefix: prefix})
		}
	})
}

// FuzzCSV reads arbitrary bytes as csvlog.
func FuzzCSV(f *testing.F) {
	for _, rec := range []string{csv12, csv13, csv14, csv14[:200]} {
		f.Add([]byte(rec), "")
	}
	seedLogs(f, ".csv")
	f.Fuzz(func(t *testing.T, data []byte, _ string) {
		checkEvents(t, data, Options{Format: CSVLog})
		checkEvents(t, data, Options{})
		checkSameRecords(t, data, Options{Format: CSVLog})
	})
}

// FuzzJSON reads arbitrary bytes as jsonlog.
func FuzzJSON(f *testing.F) {
	for _, line := range strings.SplitAfter(jsonLines, "\n") {
		f.Add([]byte(line), "")
	}
	seedLogs(f, ".json")
	f.Fuzz(func(t *testing.T, data []byte, _ string) {
		checkEvents(t, data, Options{Format: JSONLog})
		checkEvents(t, data, Options{})
		checkSameRecords(t, data, Options{Format: JSONLog})
	})
}

// FuzzSyslog reads arbitrary bytes as syslog, and auto-detected.
func FuzzSyslog(f *testing.F) {
	f.Add([]byte(syslogLines), "")
	seedLogs(f, ".log")
	f.Fuzz(func(t *testing.T, data []byte, _ string) {
		checkEvents(t, data, Options{Format: Syslog})
		checkEvents(t, data, Options{})
	})
}

// FuzzEnvelope reads arbitrary bytes auto-detected, or as the platform
// envelope the length of the second argument picks; seeded with the
// first lines of testdata/envelopes.
func FuzzEnvelope(f *testing.F) {
	files, _ := filepath.Glob("../testdata/envelopes/*")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			continue
		}
		lines := strings.SplitAfter(string(b), "\n")
		f.Add([]byte(strings.Join(lines[:min(len(lines), 4)], "")), "")
	}
	f.Fuzz(func(t *testing.T, data []byte, pick string) {
		fm := Auto
		if k := len(pick) % (len(formatNames) - int(Kubectl) + 1); k > 0 {
			fm = Kubectl + Format(k-1)
		}
		checkEvents(t, data, Options{Format: fm})
	})
}
