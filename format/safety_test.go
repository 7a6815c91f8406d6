package format

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/pgtail/pgtail/aggregate"
	"github.com/pgtail/pgtail/parse"
)

// hostile are names a client can choose (user and database names are
// quoted identifiers; application_name is anything a server before 12
// or a log relay lets through) that would drive a terminal if written raw.
var hostile = []string{
	"\x1b]0;pwned\x07",       // OSC: set the window title, BEL-terminated
	"\x1b]2;t\x1b\\",         // OSC with an ST terminator
	"\x1b[31mred\x1b[0m",     // CSI: colours
	"\x1b[2J\x1b[H",          // CSI: clear the screen, cursor home
	"\x9b31m",                // a raw C1 CSI byte (invalid UTF-8)
	"\u009b31m",              // C1 CSI encoded as UTF-8
	"\u0085next",             // C1 NEL
	"abc\b\b\bxyz",           // backspaces over text
	"ok\rfake",               // CR: overwrite the line
	"two\nlines",             // LF: a forged output line
	"tab\there",              //
	"\u202eevil\u202c",       // bidi override and pop
	"\u2066iso\u2069\u200f",  // bidi isolates, RLM
	"nul\x00byte",            //
	"\xff\xfe invalid utf-8", //
	"del\x7f",                //
	"line\u2028sep\u2029",    //
	"\ufeffbom",              //
	"ünïcødé 名前",             // printable: kept as is
}

// rawControl returns the offset of the first byte sequence in b that a
// terminal would act on or that is not UTF-8, or -1. Only LF is allowed.
func rawControl(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return i
		case r == '\n':
		case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
			return i
		case unicode.Is(unicode.Cf, r), r == '\u2028', r == '\u2029':
			return i
		}
		i += size
	}
	return -1
}

func checkClean(t *testing.T, what string, out []byte) {
	t.Helper()
	if i := rawControl(out); i >= 0 {
		t.Errorf("%s writes a raw control byte at %d: %q", what, i, out[max(0, i-20):min(len(out), i+20)])
	}
}

func FuzzClean(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	for _, s := range []string{"app_user", "\x1b]0;pwned\x07\x1b[31m", "rtl\u202e", "\xff\xfe", "müller", "\u009b", "a\r\nb"} {
		f.Add(s) // FuzzClean's seeds from format_test.go, merged here
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := Clean(s)
		checkClean(t, "Clean", []byte(c))
		if bytes.IndexByte([]byte(c), '\n') >= 0 {
			t.Errorf("Clean(%q) = %q holds a newline", s, c)
		}
		if c == s && rawControl([]byte(s)) >= 0 {
			t.Errorf("Clean(%q) left it unchanged", s)
		}
		printable := utf8.ValidString(s)
		for _, r := range s {
			printable = printable && (r == ' ' || unicode.IsGraphic(r) && !unicode.Is(unicode.Cf, r))
		}
		if printable && c != s {
			t.Errorf("Clean(%q) = %q, want it unchanged", s, c)
		}
	})
}

func TestCleanEscapesVisibly(t *testing.T) {
	for in, want := range map[string]string{
		"\x1b]0;pwned\x07": `\x1b]0;pwned\x07`,
		"\x9b31m":          `\x9b31m`,
		"\u009b31m":        `\u009b31m`,
		"ok\rfake":         `ok\x0dfake`,
		"\u202eevil":       `\u202eevil`,
		"nul\x00":          `nul\x00`,
		"ünï 名":            "ünï 名",
	} {
		if got := Clean(in); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestViewsEscapeNames puts every hostile string in every name, reason,
// host and filter, and checks no view writes a control byte raw.
func TestViewsEscapeNames(t *testing.T) {
	colors := NewColors(false)
	t0 := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	for _, h := range hostile {
		st := aggregate.New(aggregate.Config{})
		evs := []parse.Event{
			{Kind: parse.Received, PID: 1, Host: h, Port: h, Time: t0},
			{Kind: parse.Connect, PID: 1, User: h, DB: h, App: h, Time: t0},
			{Kind: parse.Connect, PID: 2, User: "u", DB: "d", App: h, Host: h, Time: t0},
			{Kind: parse.Failure, PID: 3, User: h, DB: h, Host: h, Reason: h, Time: t0.Add(time.Minute)},
			{Kind: parse.Disconnect, PID: 2, User: h, DB: h, Host: h, Duration: time.Second, Time: t0.Add(2 * time.Minute)},
			{Kind: parse.Disconnect, PID: 9, User: h, DB: h, App: h, Time: t0.Add(3 * time.Minute)},
			{Kind: parse.Reset, Reason: "crash", Time: t0.Add(4 * time.Minute)},
		}
		var watch, watchJSON bytes.Buffer
		for _, ev := range evs {
			o := st.Apply(new(ev))
			if err := Watch(&watch, o, colors); err != nil {
				t.Fatal(err)
			}
			if err := WatchJSON(&watchJSON, o); err != nil {
				t.Fatal(err)
			}
		}
		checkClean(t, "WatchJSON", watchJSON.Bytes())
		for line := range bytes.Lines(watchJSON.Bytes()) {
			var v map[string]any
			if err := json.Unmarshal(line, &v); err != nil {
				t.Errorf("WatchJSON wrote invalid JSON %q: %v", line, err)
			}
			if u, ok := v["user"]; ok && u != h && u != "u" && utf8.ValidString(h) {
				t.Errorf("WatchJSON user = %q, want %q back", u, h)
			}
		}
		checkClean(t, "Watch", watch.Bytes())
		if n := bytes.Count(watch.Bytes(), []byte("\n")); n != 6 {
			t.Errorf("Watch wrote %d lines for 6 shown events, want one each:\n%s", n, watch.Bytes())
		}
		st.Apply(&parse.Event{Kind: parse.Connect, PID: 4, User: h, DB: h, App: h, Time: t0.Add(5 * time.Minute)})
		for _, f := range []aggregate.Filter{{}, {DB: h}, {User: h}, {App: h}, {DB: h, User: h, App: h}} {
			var out bytes.Buffer
			if err := Summary(&out, st.Summary(f), f); err != nil {
				t.Fatal(err)
			}
			checkClean(t, "Summary", out.Bytes())
			out.Reset()
			if err := History(&out, st.History(f, time.Hour, 15*time.Minute), f); err != nil {
				t.Fatal(err)
			}
			checkClean(t, "History", out.Bytes())
		}
	}
}
