package parse_test

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"

	"github.com/pgtail/pgtail/parse"
)

func collect(t *testing.T, r io.Reader, opt parse.Options) ([]parse.Event, parse.Stats) {
	t.Helper()
	pr := parse.NewReader(r, opt)
	var evs []parse.Event
	for {
		ev, err := pr.Read()
		if err == io.EOF {
			return evs, pr.Stats()
		}
		if err != nil {
			t.Fatalf("Read: %v", err)
		}
		evs = append(evs, ev)
	}
}

func FuzzReader(f *testing.F) {
	for _, l := range strings.Split(debianLog, "\n") {
		f.Add(l+"\n", "")
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
		f.Add(s.line+"\n", s.prefix)
	}
	f.Fuzz(func(t *testing.T, in, prefix string) {
		opt := parse.Options{Prefix: prefix}
		whole, ws := collect(t, strings.NewReader(in), opt)
		lines := strings.Count(in, "\n")
		if !strings.HasSuffix(in, "\n") && in != "" {
			lines++
		}
		for _, ev := range whole {
			if ev.DB != parse.ReplicationDB && !strings.Contains(in, ev.DB) {
				t.Errorf("DB %q not in the input", ev.DB)
			}
			if !strings.Contains(in, ev.User) {
				t.Errorf("User %q not in the input", ev.User)
			}
			if ev.Line < 1 || ev.Line > lines {
				t.Errorf("Line %d outside 1..%d", ev.Line, lines)
			}
			if ev.Kind < parse.Received || ev.Kind > parse.Reset {
				t.Errorf("Kind %v", ev.Kind)
			}
		}
		if ws.Lines != lines {
			t.Errorf("Stats.Lines = %d, want %d", ws.Lines, lines)
		}
		bytewise, bs := collect(t, iotest.OneByteReader(bytes.NewReader([]byte(in))), opt)
		if diff := cmp.Diff(whole, bytewise); diff != "" {
			t.Errorf("events differ (-whole +one byte):\n%s", diff)
		}
		if diff := cmp.Diff(ws, bs); diff != "" {
			t.Errorf("stats differ (-whole +one byte):\n%s", diff)
		}
	})
}
