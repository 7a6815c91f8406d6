package parse_test

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pgtail/pgtail/parse"
)

// Whole streams: failures, a Debian log, loose prefixes, long lines,
// garbage, time zones and errors. The line shapes are in reader_test.go.

func TestReadFailure(t *testing.T) {
	tests := []struct {
		msg       string
		reason    string // "" means the whole message
		category  string
		afterAuth bool
		user, db  string
		host      string
	}{
		// §7.2 refused by server state
		{category: "server_starting_up", msg: "the database system is starting up", reason: "database system is starting up"},
		{category: "server_shutting_down", msg: "the database system is shutting down", reason: "database system is shutting down"},
		{category: "server_in_recovery", msg: "the database system is in recovery mode", reason: "database system is in recovery mode"},
		{category: "server_in_recovery", msg: "the database system is not yet accepting connections", reason: "database system is not yet accepting connections"},
		{category: "server_not_accepting_connections", msg: "the database system is not accepting connections", reason: "database system is not accepting connections"},
		{category: "too_many_connections", msg: "sorry, too many clients already", reason: "too many connections"},
		{category: "other", msg: "must be superuser to connect during database shutdown"},
		{category: "other", msg: "new replication connections are not allowed during database shutdown"},

		// §7.3 authentication and pg_hba
		{category: "authentication_failed", msg: `password authentication failed for user "alice"`, reason: "password authentication failed", user: "alice"},
		{category: "authentication_failed", msg: `"trust" authentication failed for user "alice"`, reason: "trust authentication failed", user: "alice"},
		{category: "authentication_failed", msg: `Ident authentication failed for user "alice"`, reason: "Ident authentication failed", user: "alice"},
		{category: "authentication_failed", msg: `Peer authentication failed for user "alice"`, reason: "Peer authentication failed", user: "alice"},
		{category: "authentication_failed", msg: `GSSAPI authentication failed for user "alice"`, reason: "GSSAPI authentication failed", user: "alice"},
		{category: "authentication_failed", msg: `SSPI authentication failed for user "alice"`, reason: "SSPI authentication failed", user: "alice"},
		{category: "authentication_failed", msg: `PAM authentication failed for user "alice"`, reason: "PAM authentication failed", user: "alice"},
		{category: "authentication_failed", msg: `BSD authentication failed for user "alice"`, reason: "BSD authentication failed", user: "alice"},
		{category: "authentication_failed", msg: `LDAP authentication failed for user "alice"`, reason: "LDAP authentication failed", user: "alice"},
		{category: "authentication_failed", msg: `certificate authentication failed for user "alice"`, reason: "certificate authentication failed", user: "alice"},
		{category: "authentication_failed", msg: `RADIUS authentication failed for user "alice"`, reason: "RADIUS authentication failed", user: "alice"},
		{category: "authentication_failed", msg: `OAuth bearer authentication failed for user "alice"`, reason: "OAuth bearer authentication failed", user: "alice"},
		{category: "authentication_failed", msg: `authentication failed for user "alice": host rejected`, reason: "authentication failed", user: "alice"},
		{category: "authentication_failed", msg: `authentication failed for user "alice": invalid authentication method`, reason: "authentication failed", user: "alice"},
		{category: "other", msg: "connection requires a valid client certificate"},
		{category: "authentication_timeout", msg: "canceling authentication due to timeout", reason: "authentication timeout"},
		{category: "pg_hba_reject", msg: `pg_hba.conf rejects connection for host "10.0.0.5", user "alice", database "appdb", SSL encryption`, reason: "pg_hba.conf rejects connection", user: "alice", db: "appdb", host: "10.0.0.5"},
		{category: "pg_hba_reject", msg: `pg_hba.conf rejects replication connection for host "10.0.0.5", user "repl", no encryption`, reason: "pg_hba.conf rejects connection", user: "repl", host: "10.0.0.5"},
		{category: "no_pg_hba_entry", msg: `no pg_hba.conf entry for host "10.0.0.5", user "alice", database "appdb", no encryption`, reason: "no pg_hba.conf entry", user: "alice", db: "appdb", host: "10.0.0.5"},
		{category: "no_pg_hba_entry", msg: `no pg_hba.conf entry for host "[local]", user "alice", database "appdb", SSL off`, reason: "no pg_hba.conf entry", user: "alice", db: "appdb", host: "[local]"},
		{category: "no_pg_hba_entry", msg: `no pg_hba.conf entry for replication connection from host "10.0.0.5", user "repl", GSS encryption`, reason: "no pg_hba.conf entry", user: "repl", host: "10.0.0.5"},

		// §7.4 after "connection authorized"
		{category: "role_does_not_exist", msg: `role "bob" does not exist`, afterAuth: true, user: "bob"},
		{category: "role_cannot_log_in", msg: `role "bob" is not permitted to log in`, afterAuth: true, user: "bob"},
		{category: "too_many_connections_for_role", msg: `too many connections for role "bob"`, afterAuth: true, user: "bob"},
		{category: "reserved_slots", msg: "remaining connection slots are reserved for non-replication superuser connections", reason: "reserved connection slots", afterAuth: true},
		{category: "reserved_slots", msg: "remaining connection slots are reserved for roles with the SUPERUSER attribute", reason: "reserved connection slots", afterAuth: true},
		{category: "reserved_slots", msg: `remaining connection slots are reserved for roles with privileges of the "pg_use_reserved_connections" role`, reason: "reserved connection slots", afterAuth: true},
		{category: "other", msg: "must be superuser or replication role to start walsender", afterAuth: true},
		{category: "other", msg: "permission denied to start WAL sender", afterAuth: true},
		{category: "database_does_not_exist", msg: `database "nope" does not exist`, afterAuth: true, db: "nope"},
		{category: "database_not_accepting_connections", msg: `database "old" is not currently accepting connections`, afterAuth: true, db: "old"},
		{category: "database_permission_denied", msg: `permission denied for database "appdb"`, afterAuth: true, db: "appdb"},
		{category: "too_many_connections_for_database", msg: `too many connections for database "appdb"`, afterAuth: true, db: "appdb"},
		{category: "other", msg: `cannot connect to invalid database "appdb"`, afterAuth: true, db: "appdb"},
		{category: "other", msg: "must be superuser to connect in binary upgrade mode", afterAuth: true},
	}
	for _, tc := range tests {
		reason := tc.reason
		if reason == "" {
			reason = tc.msg
		}
		t.Run(tc.msg, func(t *testing.T) {
			want := []parse.Event{{Kind: parse.Failure, Time: upT, PID: 16044, Line: 1, User: tc.user, DB: tc.db, Host: tc.host, Reason: reason, Category: tc.category, AfterAuth: tc.afterAuth}}
			got, _ := readAll(t, strings.NewReader(up+"FATAL:  "+tc.msg+"\n"), parse.Options{})
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("upstream prefix (-want +got):\n%s", diff)
			}

			// Debian's prefix names the requested user and database, as
			// the server writes them: the names quoted in the text.
			want[0].Time, want[0].PID = debT, 16889
			want[0].User, want[0].DB = cmpOr(tc.user, "alice"), cmpOr(tc.db, "appdb")
			deb := strings.Replace(deb, "alice@appdb", want[0].User+"@"+want[0].DB, 1)
			got, _ = readAll(t, strings.NewReader(deb+"FATAL:  "+tc.msg+"\n"), parse.Options{})
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Debian prefix (-want +got):\n%s", diff)
			}

			// log_error_verbosity=verbose puts the SQLSTATE first.
			got, _ = readAll(t, strings.NewReader(deb+"FATAL:  28000: "+tc.msg+"\n"), parse.Options{})
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("verbose (-want +got):\n%s", diff)
			}
		})
	}
}

// cmpOr is cmp.Or of the standard library, which go-cmp's name hides here.
func cmpOr(v, or string) string {
	if v != "" {
		return v
	}
	return or
}

// A Debian log of a few sessions, as a 15 server writes it.
const debianLog = `2026-11-25 21:41:29.264 CET [15695] LOG:  starting PostgreSQL 15.20 (Debian 15.20-0+deb12u1) on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit
2026-11-25 21:41:29.264 CET [15695] LOG:  listening on IPv4 address "127.0.0.1", port 5432
2026-11-25 21:41:29.270 CET [15698] LOG:  database system was shut down at 2026-11-25 21:41:28 CET
2026-11-25 21:41:29.275 CET [15695] LOG:  database system is ready to accept connections
2026-11-25 21:42:50.650 CET [16887] [unknown]@[unknown] LOG:  connection received: host=127.0.0.1 port=59232
2026-11-25 21:42:50.655 CET [16887] nobody@appdb FATAL:  password authentication failed for user "nobody"
2026-11-25 21:42:50.655 CET [16887] nobody@appdb DETAIL:  Role "nobody" does not exist.
	Connection matched pg_hba.conf line 4: "host    all             all             127.0.0.1/32            scram-sha-256"
2026-11-25 21:42:50.700 CET [16889] [unknown]@[unknown] LOG:  connection received: host=[local]
2026-11-25 21:42:50.751 CET [16889] alice@appdb LOG:  connection authorized: user=alice database=appdb application_name=psql
2026-11-25 21:42:51.000 CET [16889] alice@appdb LOG:  statement: select 'connection authorized: user=x database=y',
	'LOG:  connection authorized: user=z database=w'
2026-11-25 21:42:51.100 CET [16889] alice@appdb ERROR:  relation "t" does not exist at character 15
2026-11-25 21:42:51.100 CET [16889] alice@appdb STATEMENT:  select * from t where note = 'connection authorized: user=x'
2026-11-25 21:42:52.000 CET [16890] [unknown]@[unknown] LOG:  connection received: host=10.0.0.5 port=40000
2026-11-25 21:42:52.010 CET [16890] bob@nope LOG:  connection authorized: user=bob database=nope
2026-11-25 21:42:52.011 CET [16890] bob@nope FATAL:  database "nope" does not exist
2026-11-25 21:42:53.000 CET [16889] alice@appdb FATAL:  terminating connection due to administrator command
2026-11-25 21:42:53.001 CET [16889] alice@appdb LOG:  disconnection: session time: 0:00:02.300 user=alice database=appdb host=[local]
2026-11-25 21:43:00.000 CET [15695] LOG:  received fast shutdown request
2026-11-25 21:43:00.100 CET [15695] LOG:  database system is shut down
`

func TestReadStream(t *testing.T) {
	ts := func(s string) time.Time { return at("2026-11-25 "+s, cet) }
	want := []parse.Event{
		{Kind: parse.Reset, Time: ts("21:41:29.264"), PID: 15695, Line: 1, Reason: "restart"},
		{Kind: parse.Received, Time: ts("21:42:50.650"), PID: 16887, Line: 5, Host: "127.0.0.1", Port: "59232"},
		{Kind: parse.Failure, Time: ts("21:42:50.655"), PID: 16887, Line: 6, User: "nobody", DB: "appdb", Reason: "password authentication failed", Category: "authentication_failed", Detail: `Role "nobody" does not exist.`, Cause: "unknown role"},
		{Kind: parse.Received, Time: ts("21:42:50.700"), PID: 16889, Line: 9, Host: "[local]"},
		{Kind: parse.Connect, Time: ts("21:42:50.751"), PID: 16889, Line: 10, User: "alice", DB: "appdb", App: "psql"},
		{Kind: parse.Received, Time: ts("21:42:52.000"), PID: 16890, Line: 15, Host: "10.0.0.5", Port: "40000"},
		{Kind: parse.Connect, Time: ts("21:42:52.010"), PID: 16890, Line: 16, User: "bob", DB: "nope"},
		{Kind: parse.Failure, Time: ts("21:42:52.011"), PID: 16890, Line: 17, User: "bob", DB: "nope", Reason: `database "nope" does not exist`, Category: "database_does_not_exist", AfterAuth: true},
		{Kind: parse.Disconnect, Time: ts("21:42:53.001"), PID: 16889, Line: 19, User: "alice", DB: "appdb", Host: "[local]", Duration: 2300 * time.Millisecond},
		{Kind: parse.Reset, Time: ts("21:43:00.100"), PID: 15695, Line: 21, Reason: "shutdown"},
	}
	got, st := readAll(t, strings.NewReader(debianLog), parse.Options{})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events mismatch (-want +got):\n%s", diff)
	}
	wantStats := parse.Stats{Lines: 21, Entries: 17, Prefix: "%m [%p] %q%u@%d ", Format: parse.Stderr, Detected: true, Looks: parse.Stderr}
	if diff := cmp.Diff(wantStats, st); diff != "" {
		t.Errorf("stats mismatch (-want +got):\n%s", diff)
	}

	t.Run("CRLF", func(t *testing.T) {
		got, st := readAll(t, strings.NewReader(strings.ReplaceAll(debianLog, "\n", "\r\n")), parse.Options{})
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("events mismatch (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(wantStats, st); diff != "" {
			t.Errorf("stats mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("no final newline", func(t *testing.T) {
		got, _ := readAll(t, strings.NewReader(strings.TrimSuffix(debianLog, "\n")), parse.Options{})
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("events mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("one byte at a time", func(t *testing.T) {
		got, st2 := readAll(t, iotest.OneByteReader(strings.NewReader(debianLog)), parse.Options{})
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("events mismatch (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(st, st2); diff != "" {
			t.Errorf("stats mismatch (-whole +one byte):\n%s", diff)
		}
	})
}

// TestReadLoose covers prefixes that match no known form: the time stamp
// and the bracketed process ID are still found.
func TestReadLoose(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want parse.Event
	}{
		{
			name: "bracketed time stamp",
			in:   "[2026-11-25 21:41:16.713 CET] [16044] LOG:  connection authorized: user=alice database=appdb",
			want: parse.Event{Kind: parse.Connect, Time: upT, PID: 16044, Line: 1, User: "alice", DB: "appdb"},
		},
		{
			name: "bracketed time stamp, pid not bracketed",
			in:   "[2026-11-25 21:41:16.713 CET] pid=16044 LOG:  connection authorized: user=alice database=appdb",
			want: parse.Event{Kind: parse.Connect, Time: upT, Line: 1, User: "alice", DB: "appdb"},
		},
		{
			name: "backend type after the pid",
			in:   "2026-11-25 21:41:16.713 CET [16044] [client backend] LOG:  connection authorized: user=alice database=appdb",
			want: parse.Event{Kind: parse.Connect, Time: upT, PID: 16044, Line: 1, User: "alice", DB: "appdb"},
		},
		{
			name: "pid with line number",
			in:   "2026-11-25 21:41:16.713 CET [16044-3] {appdb} LOG:  connection authorized: user=alice database=appdb",
			want: parse.Event{Kind: parse.Connect, Time: upT, PID: 16044, Line: 1, User: "alice", DB: "appdb"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, st := readAll(t, strings.NewReader(tc.in+"\n"), parse.Options{})
			if diff := cmp.Diff([]parse.Event{tc.want}, got); diff != "" {
				t.Errorf("events mismatch (-want +got):\n%s", diff)
			}
			if st.Loose != 1 {
				t.Errorf("Stats.Loose = %d, want 1", st.Loose)
			}
		})
	}
}

// TestReadWholeVsOneByte feeds a whole log and a mix of line shapes,
// whole and one byte at a time, and expects the same events.
func TestReadWholeVsOneByte(t *testing.T) {
	long := up + "LOG:  connection authorized: user=alice database=appdb application_name=" + strings.Repeat("a", 70<<10) + "\n"
	inputs := map[string]string{
		"debian": debianLog,
		"mixed": debianLog + long + "garbage\n\n" +
			"2024-01-01 12:00:00 UTC:10.0.0.5(54321):alice@appdb:[12345]:LOG:  connection authorized: user=alice database=appdb\r\n" +
			up + "LOG:  disconnection: session time: 123:04:05.678 user=alice database=appdb host=::1 port=38126",
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			whole, ws := readAll(t, strings.NewReader(in), parse.Options{})
			bytewise, bs := readAll(t, iotest.OneByteReader(strings.NewReader(in)), parse.Options{})
			if len(whole) == 0 {
				t.Fatal("no events")
			}
			if diff := cmp.Diff(whole, bytewise); diff != "" {
				t.Errorf("events differ (-whole +one byte):\n%s", diff)
			}
			if diff := cmp.Diff(ws, bs); diff != "" {
				t.Errorf("stats differ (-whole +one byte):\n%s", diff)
			}
		})
	}
}

func TestReadLongLines(t *testing.T) {
	t.Run("event longer than the buffer", func(t *testing.T) {
		app := strings.Repeat("a", 70<<10)
		in := up + "LOG:  connection authorized: user=alice database=appdb application_name=" + app + "\n" +
			up + "LOG:  disconnection: session time: 0:00:01.000 user=alice database=appdb host=[local]\n"
		want := []parse.Event{
			{Kind: parse.Connect, Time: upT, PID: 16044, Line: 1, User: "alice", DB: "appdb", App: app},
			{Kind: parse.Disconnect, Time: upT, PID: 16044, Line: 2, User: "alice", DB: "appdb", Host: "[local]", Duration: time.Second},
		}
		got, st := readAll(t, strings.NewReader(in), parse.Options{})
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("events mismatch (-want +got):\n%s", diff)
		}
		if st.Truncated != 0 || st.Lines != 2 {
			t.Errorf("Truncated, Lines = %d, %d; want 0, 2", st.Truncated, st.Lines)
		}
	})
	t.Run("garbage longer than MaxLine", func(t *testing.T) {
		in := strings.Repeat("x", parse.MaxLine+100) + "\n" +
			up + "LOG:  connection authorized: user=alice database=appdb application_name=psql\n"
		want := []parse.Event{{Kind: parse.Connect, Time: upT, PID: 16044, Line: 2, User: "alice", DB: "appdb", App: "psql"}}
		got, st := readAll(t, strings.NewReader(in), parse.Options{})
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("events mismatch (-want +got):\n%s", diff)
		}
		if st.Truncated != 1 || st.Skipped != 1 || st.Lines != 2 {
			t.Errorf("Truncated, Skipped, Lines = %d, %d, %d; want 1, 1, 2", st.Truncated, st.Skipped, st.Lines)
		}
	})
	t.Run("event longer than MaxLine", func(t *testing.T) {
		head := up + "LOG:  connection authorized: user=alice database=appdb application_name="
		in := head + strings.Repeat("a", parse.MaxLine) + "\n" +
			up + "LOG:  disconnection: session time: 0:00:01.000 user=alice database=appdb host=[local]\n"
		got, st := readAll(t, strings.NewReader(in), parse.Options{})
		if len(got) != 2 {
			t.Fatalf("got %d events, want 2", len(got))
		}
		if got[0].Kind != parse.Connect || got[0].User != "alice" || got[0].DB != "appdb" {
			t.Errorf("first event = %v %q %q, want connect alice appdb", got[0].Kind, got[0].User, got[0].DB)
		}
		if n, want := len(got[0].App), parse.MaxLine-len(head); n != want {
			t.Errorf("len(App) = %d, want %d (cut at MaxLine)", n, want)
		}
		if got[1].Kind != parse.Disconnect || got[1].Line != 2 {
			t.Errorf("second event = %v at line %d, want disconnect at line 2", got[1].Kind, got[1].Line)
		}
		if st.Truncated != 1 || st.Lines != 2 {
			t.Errorf("Truncated, Lines = %d, %d; want 1, 2", st.Truncated, st.Lines)
		}
	})
}

func TestReadGarbage(t *testing.T) {
	in := strings.Join([]string{
		"hello world",
		"",
		"\x00\x01\xff\xfe binary",
		"-- MARK --",
		"random:  text with two spaces",
		":  starts with the separator",
		"LOG: one space only",
		"Nov 25 21:42:50 host kernel: [12345.678] eth0: link up",
		up + "LOG:  connection authorized: user=alice database=appdb",
		"\ta continuation",
		strings.Repeat("\x1b[31m", 100),
	}, "\n")
	got, st := readAll(t, strings.NewReader(in), parse.Options{})
	want := []parse.Event{{Kind: parse.Connect, Time: upT, PID: 16044, Line: 9, User: "alice", DB: "appdb"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events mismatch (-want +got):\n%s", diff)
	}
	if st.Skipped != 8 || st.Entries != 1 || st.Lines != 11 {
		t.Errorf("Skipped, Entries, Lines = %d, %d, %d; want 8, 1, 11", st.Skipped, st.Entries, st.Lines)
	}
}

func TestReadTimeZones(t *testing.T) {
	tests := []struct {
		stamp    string
		zone     string
		offset   int
		wantUTC  string
		wantWall string
	}{
		{"2026-11-25 20:41:16.713 UTC", "UTC", 0, "2026-11-25 20:41:16.713", "20:41:16"},
		{"2026-11-25 20:41:16.713 GMT", "GMT", 0, "2026-11-25 20:41:16.713", "20:41:16"},
		{"2026-11-25 21:41:16.713 CET", "CET", 3600, "2026-11-25 20:41:16.713", "21:41:16"},
		{"2026-07-25 22:41:16.713 CEST", "CEST", 7200, "2026-07-25 20:41:16.713", "22:41:16"},
		{"2026-11-25 17:41:16.713 -03", "-03", -3 * 3600, "2026-11-25 20:41:16.713", "17:41:16"},
		{"2026-11-25 23:41:16.713 +03", "+03", 3 * 3600, "2026-11-25 20:41:16.713", "23:41:16"},
		{"2026-11-26 02:26:16.713 +0545", "+0545", 5*3600 + 45*60, "2026-11-25 20:41:16.713", "02:26:16"},
		{"2026-11-25 20:41:16 UTC", "UTC", 0, "2026-11-25 20:41:16.000", "20:41:16"},
	}
	for _, tc := range tests {
		t.Run(tc.stamp, func(t *testing.T) {
			got, _ := readAll(t, strings.NewReader(tc.stamp+" [7] LOG:  connection authorized: user=a database=b\n"), parse.Options{})
			if len(got) != 1 {
				t.Fatalf("got %d events, want 1", len(got))
			}
			tm := got[0].Time
			name, off := tm.Zone()
			if name != tc.zone || off != tc.offset {
				t.Errorf("zone = %s %d, want %s %d", name, off, tc.zone, tc.offset)
			}
			if s := tm.UTC().Format("2006-01-02 15:04:05.000"); s != tc.wantUTC {
				t.Errorf("UTC time = %s, want %s", s, tc.wantUTC)
			}
			if s := tm.Format("15:04:05"); s != tc.wantWall {
				t.Errorf("wall clock = %s, want %s (as logged)", s, tc.wantWall)
			}
		})
	}
}

func TestReadErrors(t *testing.T) {
	t.Run("I/O error after a line", func(t *testing.T) {
		boom := errors.New("boom")
		r := parse.NewReader(io.MultiReader(
			strings.NewReader(up+"LOG:  connection authorized: user=alice database=appdb\n"),
			iotest.ErrReader(boom)), parse.Options{})
		if ev, err := r.Read(); err != nil || ev.Kind != parse.Connect {
			t.Fatalf("first Read = %v, %v; want a connect", ev.Kind, err)
		}
		if _, err := r.Read(); !errors.Is(err, boom) {
			t.Errorf("second Read error = %v, want %v", err, boom)
		}
	})
	t.Run("EOF repeats", func(t *testing.T) {
		r := parse.NewReader(strings.NewReader(""), parse.Options{})
		for i := range 2 {
			if _, err := r.Read(); err != io.EOF {
				t.Errorf("Read %d error = %v, want io.EOF", i, err)
			}
		}
	})
	t.Run("unknown format", func(t *testing.T) {
		r := parse.NewReader(strings.NewReader(up+"LOG:  connection authorized: user=a database=b\n"), parse.Options{Format: 99})
		if _, err := r.Read(); !errors.Is(err, parse.ErrFormat) {
			t.Errorf("Read error = %v, want ErrFormat", err)
		}
		var f parse.Format
		if err := f.UnmarshalText([]byte("csv")); !errors.Is(err, parse.ErrFormat) {
			t.Errorf("UnmarshalText(csv) error = %v, want ErrFormat", err)
		}
	})
	for _, name := range []string{"auto", "stderr"} {
		t.Run("format "+name, func(t *testing.T) {
			var f parse.Format
			if err := f.UnmarshalText([]byte(name)); err != nil || f.String() != name {
				t.Fatalf("UnmarshalText(%s) = %v, %v", name, f, err)
			}
			got, _ := readAll(t, strings.NewReader(up+"LOG:  connection authorized: user=a database=b\n"), parse.Options{Format: f})
			if len(got) != 1 {
				t.Errorf("got %d events, want 1", len(got))
			}
		})
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[parse.Kind]string{
		parse.Received: "received", parse.Connect: "connect", parse.Disconnect: "disconnect",
		parse.Failure: "failure", parse.Reset: "reset", 0: "Kind(0)", 99: "Kind(99)",
	} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", int(k), got, want)
		}
	}
}
