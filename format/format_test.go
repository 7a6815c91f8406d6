package format_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/pgtail/pgtail/aggregate"
	"github.com/pgtail/pgtail/format"
	"github.com/pgtail/pgtail/parse"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// golden compares got with testdata/name.golden, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./format -update)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

// logBuilder writes a PostgreSQL log with Debian's log_line_prefix
// '%m [%p] %q%u@%d ', as a 15 server does.
type logBuilder struct {
	b    strings.Builder
	pid  int
	open map[int]session
}

type session struct {
	db, user, host, port string
	start                time.Time
}

func newLog() *logBuilder {
	return &logBuilder{pid: 20000, open: map[int]session{}}
}

func (l *logBuilder) line(t time.Time, pid int, who, msg string) {
	fmt.Fprintf(&l.b, "%s [%d] %s%s\n", t.Format("2006-01-02 15:04:05.000 MST"), pid, who, msg)
}

// connect logs "connection received" and "connection authorized" for a
// new backend and returns its pid. An empty app sends no application_name.
func (l *logBuilder) connect(t time.Time, db, user, app, host string) int {
	l.pid++
	port := fmt.Sprint(40000 + l.pid%20000)
	if host == "[local]" {
		l.line(t, l.pid, "[unknown]@[unknown] ", "LOG:  connection received: host=[local]")
		port = ""
	} else {
		l.line(t, l.pid, "[unknown]@[unknown] ", "LOG:  connection received: host="+host+" port="+port)
	}
	msg := "LOG:  connection authorized: user=" + user + " database=" + db
	if app != "" {
		msg += " application_name=" + app
	}
	l.line(t.Add(3*time.Millisecond), l.pid, user+"@"+db+" ", msg)
	l.open[l.pid] = session{db, user, host, port, t}
	return l.pid
}

func (l *logBuilder) disconnect(t time.Time, pid int) {
	s := l.open[pid]
	delete(l.open, pid)
	d := t.Sub(s.start)
	msg := fmt.Sprintf("LOG:  disconnection: session time: %d:%02d:%02d.%03d user=%s database=%s host=%s",
		int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60, d.Milliseconds()%1000, s.user, s.db, s.host)
	if s.port != "" {
		msg += " port=" + s.port
	}
	l.line(t, pid, s.user+"@"+s.db+" ", msg)
}

// fail logs a refused attempt: "connection received", then the FATAL.
func (l *logBuilder) fail(t time.Time, db, user, host, fatal string) {
	l.pid++
	l.line(t, l.pid, "[unknown]@[unknown] ", "LOG:  connection received: host="+host+" port=5000")
	l.line(t.Add(time.Millisecond), l.pid, user+"@"+db+" ", "FATAL:  "+fatal)
}

// postmaster logs a server line.
func (l *logBuilder) postmaster(t time.Time, msg string) {
	l.line(t, 100, "", "LOG:  "+msg)
	if strings.HasPrefix(msg, "terminating any other") || msg == "database system is shut down" {
		clear(l.open)
	}
}

// track parses the log and applies every event; it returns the state and
// each event's outcome.
func (l *logBuilder) track(t *testing.T) (*aggregate.State, []aggregate.Outcome) {
	t.Helper()
	st, s, out := trackLog(t, strings.NewReader(l.b.String()))
	if s.Skipped != 0 || s.Loose != 0 {
		t.Fatalf("log not fully understood: %+v", s)
	}
	return st, out
}

// trackLog reads a log as --json does (exact counts) into a new tracker,
// returning it, the reader's stats and each event's outcome.
func trackLog(t *testing.T, in io.Reader) (*aggregate.State, parse.Stats, []aggregate.Outcome) {
	t.Helper()
	st := aggregate.New(aggregate.Config{})
	r := parse.NewReader(in, parse.Options{ExactCounts: true})
	var out []aggregate.Outcome
	for ev, err := range r.All() {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, st.Apply(new(*ev)))
	}
	return st, r.Stats(), out
}

func clock(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04:05", "2026-11-24 "+s, time.UTC)
	if err != nil {
		panic(err)
	}
	return t
}

// The contract's example blocks (000_7997782f938c8505.txt).
const (
	contractSummary = `Active connections: 47

By database:
  production    32
  analytics      8
  test           7

By user:
  app_user      28
  readonly      12
  admin          7

By application:
  rails         20
  sidekiq        8
  psql           5
  unknown       14

Session totals: 234 connects, 187 disconnects
`
	contractFiltered = `Active connections to 'production': 32

By user:
  app_user      25
  readonly       5
  admin          2

By application:
  rails         20
  sidekiq        8
  psql           4
`
	contractEmpty = "No connection data available.\nStart tailing a log with `tail` to begin tracking connections.\n"

	// The spec's history block (the contract's trend line is garbled).
	specHistory = `Connection history (last 60 min)

Total: 234 connects, 187 disconnects (+47 net)

Timeline (15-min buckets):
10:00  40 active
10:15  45 active (+5)
10:30  52 active (+7)
10:45  61 active (+9)  ← leak detected

Trend: ▁▃▅█  +47 net
`
)

// contractLog holds the contract's numbers: 47 open sessions, and 187
// more that connected and disconnected.
func contractLog() *logBuilder {
	l := newLog()
	t := clock("09:00:00")
	next := func() time.Time { t = t.Add(1500 * time.Millisecond); return t }
	// Sessions that come and go, interleaved with the ones that stay.
	var closing []int
	closed := 0
	churn := func() {
		for range 4 {
			if closed+len(closing) < 187 {
				db, user, app := "production", "app_user", "rails"
				if (closed+len(closing))%5 == 0 {
					db, user, app = "test", "admin", "psql"
				}
				closing = append(closing, l.connect(next(), db, user, app, "10.0.2.1"))
			}
		}
		for len(closing) > 2 {
			l.disconnect(next(), closing[0])
			closing = closing[1:]
			closed++
		}
	}
	for _, s := range []struct {
		n             int
		db, user, app string
	}{
		{20, "production", "app_user", "rails"},
		{5, "production", "app_user", "sidekiq"},
		{3, "production", "readonly", "sidekiq"},
		{2, "production", "readonly", "psql"},
		{2, "production", "admin", "psql"},
		{7, "analytics", "readonly", ""},
		{1, "analytics", "app_user", ""},
		{2, "test", "app_user", ""},
		{1, "test", "admin", "psql"},
		{4, "test", "admin", ""},
	} {
		for i := range s.n {
			host := fmt.Sprintf("10.0.1.%d", 5+i%3)
			if s.app == "psql" {
				host = "[local]"
			}
			l.connect(next(), s.db, s.user, s.app, host)
			churn()
		}
	}
	for closed+len(closing) < 187 {
		churn()
	}
	for _, pid := range closing {
		l.disconnect(next(), pid)
	}
	return l
}

func render(t *testing.T, f func(w io.Writer) error) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := f(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSummaryContract(t *testing.T) {
	st, _ := contractLog().track(t)

	got := render(t, func(w io.Writer) error { return format.Summary(w, st.Summary(aggregate.Filter{}), aggregate.Filter{}) })
	golden(t, "summary", got)
	if diff := cmp.Diff(contractSummary, string(got)); diff != "" {
		t.Errorf("summary differs from the contract (-contract +got):\n%s", diff)
	}

	f := aggregate.Filter{DB: "production"}
	got = render(t, func(w io.Writer) error { return format.Summary(w, st.Summary(f), f) })
	golden(t, "summary_db_production", got)
	if !strings.HasPrefix(string(got), contractFiltered) {
		t.Errorf("filtered summary does not begin with the contract's block:\n%s\nwant:\n%s", got, contractFiltered)
	}
}

func TestSummaryFilters(t *testing.T) {
	st, _ := contractLog().track(t)
	for _, tc := range []struct {
		name string
		f    aggregate.Filter
	}{
		{"summary_user_app_user", aggregate.Filter{User: "app_user"}},
		{"summary_app_rails", aggregate.Filter{App: "rails"}},
		{"summary_app_unknown", aggregate.Filter{App: "unknown"}},
		{"summary_all_filters", aggregate.Filter{DB: "production", User: "app_user", App: "rails"}},
		{"summary_no_match", aggregate.Filter{DB: "Production"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			golden(t, tc.name, render(t, func(w io.Writer) error { return format.Summary(w, st.Summary(tc.f), tc.f) }))
		})
	}
}

func TestSummaryEmpty(t *testing.T) {
	st := aggregate.New(aggregate.Config{})
	got := render(t, func(w io.Writer) error { return format.Summary(w, st.Summary(aggregate.Filter{}), aggregate.Filter{}) })
	golden(t, "summary_empty", got)
	if string(got) != contractEmpty || format.Empty != contractEmpty {
		t.Errorf("empty state = %q, want %q", got, contractEmpty)
	}

	// A probe that never authorized is no connection event either.
	l := newLog()
	l.line(clock("10:00:00"), 300, "[unknown]@[unknown] ", "LOG:  connection received: host=10.0.0.5 port=5000")
	st, _ = l.track(t)
	got = render(t, func(w io.Writer) error { return format.Summary(w, st.Summary(aggregate.Filter{}), aggregate.Filter{}) })
	if string(got) != contractEmpty {
		t.Errorf("after a lone probe: %q, want the empty state", got)
	}
}

func TestSummaryFailures(t *testing.T) {
	l := newLog()
	t0 := clock("10:00:00")
	l.connect(t0, "production", "app_user", "rails", "10.0.1.5")
	l.connect(t0.Add(time.Second), "production", "app_user", "rails", "10.0.1.6")
	for i := range 9 {
		l.fail(t0.Add(time.Duration(10+i)*time.Second), "production", "app_user", "10.0.1.7", "sorry, too many clients already")
	}
	for i := range 3 {
		l.fail(t0.Add(time.Duration(30+i)*time.Second), "production", "mallory", "10.0.9.9", `password authentication failed for user "mallory"`)
	}
	st, _ := l.track(t)
	got := render(t, func(w io.Writer) error { return format.Summary(w, st.Summary(aggregate.Filter{}), aggregate.Filter{}) })
	golden(t, "summary_failures", got)
	want := "Connection failures: 12 (too many connections 9, password authentication failed 3)\n"
	if !strings.HasSuffix(string(got), want) {
		t.Errorf("summary does not end with %q:\n%s", want, got)
	}
}

// After a crash the totals add up: the sessions it ended are on the
// Session totals line, so connects − disconnects − ended = active.
func TestSummaryCrashTotals(t *testing.T) {
	l := newLog()
	t0 := clock("10:00:00")
	first := l.connect(t0, "production", "app_user", "rails", "10.0.1.5")
	for i := range 5 {
		l.connect(t0.Add(time.Duration(i+1)*time.Second), "production", "app_user", "rails", "10.0.1.5")
	}
	l.disconnect(t0.Add(10*time.Second), first)
	l.postmaster(t0.Add(20*time.Second), "terminating any other active server processes")
	l.connect(t0.Add(30*time.Second), "production", "app_user", "rails", "10.0.1.5")
	l.connect(t0.Add(31*time.Second), "test", "admin", "psql", "10.0.1.6")
	st, _ := l.track(t)
	sum := st.Summary(aggregate.Filter{})
	got := render(t, func(w io.Writer) error { return format.Summary(w, sum, aggregate.Filter{}) })
	want := "\nSession totals: 8 connects, 1 disconnects, 5 ended by server crash\n"
	if !strings.Contains(string(got), want) {
		t.Errorf("summary does not hold %q:\n%s", want, got)
	}
	if sum.Connects-sum.Disconnects-5 != sum.Active {
		t.Errorf("%d - %d - 5 != %d active", sum.Connects, sum.Disconnects, sum.Active)
	}
	// Filtered: only the filter's sessions the crash ended.
	f := aggregate.Filter{DB: "test"}
	got = render(t, func(w io.Writer) error { return format.Summary(w, st.Summary(f), f) })
	if want := "\nSession totals: 1 connects, 0 disconnects\n"; !strings.Contains(string(got), want) {
		t.Errorf("filtered summary does not hold %q:\n%s", want, got)
	}
}

func TestSummaryWidths(t *testing.T) {
	l := newLog()
	t0 := clock("10:00:00")
	l.connect(t0, "customer_analytics_warehouse", "etl", "airflow", "10.0.1.5")
	for i := range 12345 {
		l.connect(t0.Add(time.Duration(i)*time.Millisecond), "production", "app_user", "rails", "10.0.1.6")
	}
	st, _ := l.track(t)
	golden(t, "summary_long_names", render(t, func(w io.Writer) error {
		return format.Summary(w, st.Summary(aggregate.Filter{}), aggregate.Filter{})
	}))

	// Names of a section that is not shown do not widen the column.
	f := aggregate.Filter{DB: "customer_analytics_warehouse"}
	got := render(t, func(w io.Writer) error { return format.Summary(w, st.Summary(f), f) })
	golden(t, "summary_long_names_filtered", got)
	if !strings.Contains(string(got), "\n  etl            1\n") {
		t.Errorf("filtered rows not in the default column:\n%s", got)
	}
}

func TestSummaryHostileNames(t *testing.T) {
	// Role and database names may hold any byte; the log carries them raw.
	l := newLog()
	t0 := clock("10:00:00")
	l.connect(t0, "evil\x1b[2Jdb", "bob\x07", "", "10.0.1.5")
	l.connect(t0, "rtl\u202egnp.exe", "alice", "", "10.0.1.5")
	st, _ := l.track(t)
	f := aggregate.Filter{}
	got := render(t, func(w io.Writer) error { return format.Summary(w, st.Summary(f), f) })
	golden(t, "summary_hostile_names", got)
	checkNoRawControls(t, got)

	f = aggregate.Filter{DB: "evil\x1b[2Jdb"}
	got = render(t, func(w io.Writer) error { return format.Summary(w, st.Summary(f), f) })
	checkNoRawControls(t, got)
	if !strings.HasPrefix(string(got), `Active connections to 'evil\x1b[2Jdb': 1`) {
		t.Errorf("filtered header not escaped:\n%s", got)
	}
}

// checkNoRawControls fails if b holds a control byte other than newline,
// or an invisible format character.
func checkNoRawControls(t *testing.T, b []byte) {
	t.Helper()
	for i, r := range string(b) {
		if r == '\n' {
			continue
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError {
			t.Errorf("raw %U at byte %d in %q", r, i, b)
		}
	}
}

// leakLog is the spec's history example: 14 sessions open before the
// window, then 234 connects and 187 disconnects inside it, so the active
// count reads 40, 45, 52 and 61 at the ends of the 15-minute buckets.
func leakLog() *logBuilder {
	l := newLog()
	var open []int
	for i := range 14 {
		open = append(open, l.connect(clock("09:30:00").Add(time.Duration(i)*time.Second), "production", "app_user", "rails", "10.0.1.5"))
	}
	for b, plan := range []struct{ connects, disconnects int }{
		{26 + 47, 47}, {5 + 47, 47}, {7 + 47, 47}, {9 + 45, 45},
	} {
		start := clock("10:00:00").Add(time.Duration(b) * 15 * time.Minute)
		for i := range plan.connects {
			open = append(open, l.connect(start.Add(time.Duration(i)*time.Second), "production", "app_user", "rails", "10.0.1.5"))
		}
		for i := range plan.disconnects {
			l.disconnect(start.Add(5*time.Minute+time.Duration(i)*time.Second), open[0])
			open = open[1:]
		}
	}
	pid := l.connect(clock("10:52:00"), "test", "admin", "psql", "[local]")
	l.disconnect(clock("10:52:10"), pid)
	return l
}

func TestHistory(t *testing.T) {
	st, _ := leakLog().track(t)
	h := st.History(aggregate.Filter{}, time.Hour, 15*time.Minute)
	got := render(t, func(w io.Writer) error { return format.History(w, h, aggregate.Filter{}) })
	golden(t, "history_leak", got)
	if diff := cmp.Diff(specHistory, string(got)); diff != "" {
		t.Errorf("history differs from the spec (-spec +got):\n%s", diff)
	}

	f := aggregate.Filter{DB: "test", User: "admin"}
	h = st.History(f, time.Hour, 15*time.Minute)
	golden(t, "history_filtered", render(t, func(w io.Writer) error { return format.History(w, h, f) }))

	h = st.History(aggregate.Filter{}, 24*time.Hour, time.Hour)
	golden(t, "history_24h", render(t, func(w io.Writer) error { return format.History(w, h, aggregate.Filter{}) }))

	h = st.History(aggregate.Filter{}, 72*time.Hour, 24*time.Hour)
	golden(t, "history_days", render(t, func(w io.Writer) error { return format.History(w, h, aggregate.Filter{}) }))
}

func TestHistoryFlat(t *testing.T) {
	l := newLog()
	l.connect(clock("09:00:00"), "production", "app_user", "rails", "10.0.1.5")
	pid := l.connect(clock("10:20:00"), "production", "app_user", "rails", "10.0.1.5")
	l.disconnect(clock("10:40:00"), pid)
	l.connect(clock("10:50:00"), "production", "app_user", "rails", "10.0.1.5")
	st, _ := l.track(t)
	h := st.History(aggregate.Filter{}, time.Hour, 15*time.Minute)
	got := render(t, func(w io.Writer) error { return format.History(w, h, aggregate.Filter{}) })
	golden(t, "history_flat", got)
	if !strings.Contains(string(got), "10:30  1 active (-1)\n") || !strings.Contains(string(got), "10:15  2 active (+1)\n") {
		t.Errorf("unexpected rows:\n%s", got)
	}
}

// watchLog is the spec's watch example, then the other kinds of line.
func watchLog() *logBuilder {
	l := newLog()
	l.postmaster(clock("10:20:00"), "starting PostgreSQL 16.4 on x86_64-pc-linux-gnu, compiled by gcc, 64-bit")
	psql := l.connect(clock("10:23:44.7"), "test", "admin", "psql", "[local]")
	l.connect(clock("10:23:45"), "production", "app_user", "rails", "10.0.1.5")
	l.disconnect(clock("10:23:47"), psql)
	l.connect(clock("10:23:48"), "production", "app_user", "sidekiq", "10.0.1.6")
	l.fail(clock("10:23:49"), "production", "app_user", "10.0.1.7", "sorry, too many clients already")
	// Refused after "connection authorized": [+] then [!].
	l.pid++
	l.line(clock("10:23:50"), l.pid, "[unknown]@[unknown] ", "LOG:  connection received: host=10.0.1.8 port=5001")
	l.line(clock("10:23:50.003"), l.pid, "bob@nope ", "LOG:  connection authorized: user=bob database=nope")
	l.line(clock("10:23:50.004"), l.pid, "bob@nope ", `FATAL:  database "nope" does not exist`)
	// A session older than the log.
	l.line(clock("10:23:51"), 999, "app_user@production ", "LOG:  disconnection: session time: 1:02:03.400 user=app_user database=production host=10.0.1.5 port=41000")
	// Malicious application name, as a client may send it.
	l.connect(clock("10:23:52"), "production", "app_user", "\x1b]0;pwned\x07\x1b[31m", "10.0.1.9")
	l.postmaster(clock("10:24:00"), "terminating any other active server processes")
	l.postmaster(clock("10:24:00"), "all server processes terminated; reinitializing")
	l.connect(clock("10:24:30"), "production", "app_user", "rails", "10.0.1.5")
	l.postmaster(clock("10:25:00"), "received fast shutdown request")
	l.postmaster(clock("10:25:01"), "database system is shut down")
	return l
}

const specWatch = `[+] 10:23:45 rails connected from 10.0.1.5 (user: app_user, db: production)
[-] 10:23:47 psql disconnected (duration: 2.3s, user: admin, db: test)
[+] 10:23:48 sidekiq connected from 10.0.1.6 (user: app_user, db: production)
`

func renderWatch(t *testing.T, out []aggregate.Outcome, c format.Colors) []byte {
	t.Helper()
	var buf bytes.Buffer
	for _, o := range out {
		if err := format.Watch(&buf, o, c); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

var ansi = regexp.MustCompile(`\x1b\[[0-9;]*m`)

func TestWatch(t *testing.T) {
	_, out := watchLog().track(t)

	plain := renderWatch(t, out, format.NewColors(false))
	golden(t, "watch", plain)
	if bytes.ContainsAny(plain, "\x1b\x07") {
		t.Errorf("color off: output holds ESC or BEL:\n%q", plain)
	}
	checkNoRawControls(t, plain)
	if !bytes.Contains(plain, []byte(specWatch)) {
		t.Errorf("watch output does not hold the spec's lines:\n%s\nwant:\n%s", plain, specWatch)
	}

	colored := renderWatch(t, out, format.NewColors(true))
	golden(t, "watch_color", colored)
	for _, want := range []string{"\x1b[32m[+]\x1b[0m", "\x1b[33m[-]\x1b[0m", "\x1b[31m[!]\x1b[0m"} {
		if !bytes.Contains(colored, []byte(want)) {
			t.Errorf("color on: no %q", want)
		}
	}
	// Only our own color codes: without them the text is the plain one.
	if stripped := ansi.ReplaceAll(colored, nil); !bytes.Equal(stripped, plain) {
		t.Errorf("color on, codes removed, differs from color off:\n%s", cmp.Diff(string(plain), string(stripped)))
	}
	if n, want := bytes.Count(colored, []byte("\x1b")), 2*bytes.Count(plain, []byte("\n")); n != want {
		t.Errorf("color on: %d ESC bytes, want %d (two per line)", n, want)
	}
	if bytes.Contains(colored, []byte("\x07")) || bytes.Contains(colored, []byte("\x1b]")) {
		t.Errorf("color on: client escape sequence written raw:\n%q", colored)
	}
}

func TestWatchHostileApp(t *testing.T) {
	app := "\x1b]0;pwned\x07\x1b[31m"
	o := aggregate.Outcome{Event: &parse.Event{
		Kind: parse.Connect, Time: clock("10:23:45"), PID: 7,
		User: "app_user", DB: "production", App: app, Host: "10.0.1.5",
	}}
	for _, on := range []bool{false, true} {
		var buf bytes.Buffer
		if err := format.Watch(&buf, o, format.NewColors(on)); err != nil {
			t.Fatal(err)
		}
		got := ansi.ReplaceAllString(buf.String(), "")
		want := `[+] 10:23:45 \x1b]0;pwned\x07\x1b[31m connected from 10.0.1.5 (user: app_user, db: production)` + "\n"
		if got != want {
			t.Errorf("color %v: got %q, want %q", on, got, want)
		}
		if strings.ContainsAny(got, "\x1b\x07") {
			t.Errorf("color %v: raw ESC or BEL in %q", on, buf.String())
		}
	}
}

func TestWatchLines(t *testing.T) {
	tm := clock("10:23:45")
	c := format.NewColors(false)
	tests := []struct {
		name string
		o    aggregate.Outcome
		want string
	}{
		{
			name: "connect without host",
			o:    aggregate.Outcome{Event: &parse.Event{Kind: parse.Connect, Time: tm, User: "u", DB: "d", App: "unknown"}},
			want: "[+] 10:23:45 unknown connected (user: u, db: d)\n",
		},
		{
			name: "connect without time stamp",
			o:    aggregate.Outcome{Event: &parse.Event{Kind: parse.Connect, User: "u", DB: "d", App: "psql", Host: "[local]"}},
			want: "[+] psql connected from [local] (user: u, db: d)\n",
		},
		{
			name: "disconnect over a minute",
			o:    aggregate.Outcome{Event: &parse.Event{Kind: parse.Disconnect, Time: tm, User: "u", DB: "d", App: "rails", Duration: time.Hour + 2*time.Minute + 3400*time.Millisecond}},
			want: "[-] 10:23:45 rails disconnected (duration: 1h2m3s, user: u, db: d)\n",
		},
		{
			name: "failure with user only",
			o:    aggregate.Outcome{Event: &parse.Event{Kind: parse.Failure, Time: tm, User: "app_user", Reason: "too many connections"}},
			want: "[!] 10:23:45 Connection failed: too many connections (user: app_user)\n",
		},
		{
			name: "failure with nothing known",
			o:    aggregate.Outcome{Event: &parse.Event{Kind: parse.Failure, Time: tm, Reason: "database system is starting up"}},
			want: "[!] 10:23:45 Connection failed: database system is starting up\n",
		},
		{
			name: "reset ending one session",
			o:    aggregate.Outcome{Event: &parse.Event{Kind: parse.Reset, Time: tm, Reason: "shutdown"}, Ended: 1},
			want: "[!] 10:23:45 Server shutdown: 1 open session ended\n",
		},
		{
			name: "reset ending none",
			o:    aggregate.Outcome{Event: &parse.Event{Kind: parse.Reset, Time: tm, Reason: "restart"}},
			want: "",
		},
		{
			name: "connection received",
			o:    aggregate.Outcome{Event: &parse.Event{Kind: parse.Received, Time: tm, Host: "10.0.0.5"}},
			want: "",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := format.Watch(&buf, tc.o, c); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, buf.String()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestClean(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "app_user", "app_user"},
		{"spaces and punctuation", `PostgreSQL JDBC Driver 'q" =@:`, `PostgreSQL JDBC Driver 'q" =@:`},
		{"non-ASCII letters", "müller_日本語", "müller_日本語"},
		{"emoji", "🐘 pg", "🐘 pg"},
		{"no-break space", "a\u00a0b", "a\u00a0b"},
		{"ESC", "a\x1bb", `a\x1bb`},
		{"CSI", "\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`},
		{"OSC title", "\x1b]0;pwned\x07", `\x1b]0;pwned\x07`},
		{"OSC with ST", "\x1b]8;;http://x\x1b\\link", `\x1b]8;;http://x\x1b\link`},
		{"BEL", "ding\a", `ding\x07`},
		{"backspace", "abc\b\b\bxyz", `abc\x08\x08\x08xyz`},
		{"carriage return", "safe\rEVIL", `safe\x0dEVIL`},
		{"newline", "two\nlines", `two\x0alines`},
		{"tab", "a\tb", `a\x09b`},
		{"NUL", "a\x00b", `a\x00b`},
		{"DEL", "a\x7fb", `a\x7fb`},
		{"C1 CSI", "a\u009b31mb", `a\u009b31mb`},
		{"bidi override", "rtl\u202egnp.exe", `rtl\u202egnp.exe`},
		{"bidi isolate", "a\u2066b\u2069", `a\u2066b\u2069`},
		{"zero-width space", "ad\u200bmin", `ad\u200bmin`},
		{"byte order mark", "\ufeffx", `\ufeffx`},
		{"line separator", "a\u2028b", `a\u2028b`},
		{"invalid UTF-8", "a\xffb", `a\xffb`},
		{"truncated UTF-8", "a\xe2\x80", `a\xe2\x80`},
		{"Latin-1 byte", "caf\xe9", `caf\xe9`},
		{"empty", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := format.Clean(tc.in)
			if got != tc.want {
				t.Errorf("Clean(%q) = %q, want %q", tc.in, got, tc.want)
			}
			checkNoRawControls(t, []byte(got))
		})
	}
}

// failWriter fails every write.
type failWriter struct{ n int }

var errWrite = errors.New("write failed")

func (w *failWriter) Write(p []byte) (int, error) {
	w.n++
	return 0, errWrite
}

func TestWriteErrors(t *testing.T) {
	st, out := watchLog().track(t)
	var connect aggregate.Outcome
	for _, o := range out {
		if o.Event.Kind == parse.Connect {
			connect = o
			break
		}
	}
	s := st.Summary(aggregate.Filter{})
	h := st.History(aggregate.Filter{}, time.Hour, 15*time.Minute)
	for name, f := range map[string]func(io.Writer) error{
		"summary": func(w io.Writer) error { return format.Summary(w, s, aggregate.Filter{}) },
		"empty":   func(w io.Writer) error { return format.Summary(w, aggregate.Summary{}, aggregate.Filter{}) },
		"history": func(w io.Writer) error { return format.History(w, h, aggregate.Filter{}) },
		"watch":   func(w io.Writer) error { return format.Watch(w, connect, format.NewColors(false)) },
	} {
		t.Run(name, func(t *testing.T) {
			w := &failWriter{}
			if err := f(w); !errors.Is(err, errWrite) {
				t.Errorf("error = %v, want %v", err, errWrite)
			}
			if w.n != 1 {
				t.Errorf("%d writes after the first error, want 1 in all", w.n)
			}
		})
	}
}
