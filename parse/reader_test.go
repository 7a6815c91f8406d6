package parse_test

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pgtail/pgtail/parse"
)

var (
	cet   = time.FixedZone("CET", 3600)
	brt   = time.FixedZone("-03", -3*3600)
	npt   = time.FixedZone("+0545", 5*3600+45*60)
	utcTZ = time.UTC
)

// at returns a time stamp as PostgreSQL writes it: "2006-01-02 15:04:05.000".
func at(s string, loc *time.Location) time.Time {
	layout := "2006-01-02 15:04:05"
	if len(s) > len(layout) {
		layout += ".000"
	}
	t, err := time.ParseInLocation(layout, s, loc)
	if err != nil {
		panic(err)
	}
	return t
}

// readAll reads every event of in, with exact entry counts (the stats
// these tests check).
func readAll(t *testing.T, in io.Reader, opt parse.Options) ([]parse.Event, parse.Stats) {
	t.Helper()
	opt.ExactCounts = true
	r := parse.NewReader(in, opt)
	var evs []parse.Event
	for ev, err := range r.All() {
		if err != nil {
			t.Fatalf("Read: %v", err)
		}
		evs = append(evs, *ev)
	}
	return evs, r.Stats()
}

// Prefixes as the servers print them.
const (
	// upstream default '%m [%p] '
	up = "2026-11-25 21:41:16.713 CET [16044] "
	// Debian/Ubuntu '%m [%p] %q%u@%d '
	deb    = "2026-11-25 21:42:50.751 CET [16889] alice@appdb "
	debPre = "2026-11-25 21:42:50.751 CET [16889] [unknown]@[unknown] " // before the startup packet
	debPM  = "2026-11-25 21:41:29.264 CET [15695] "                     // postmaster: %q stops the prefix
)

var (
	upT  = at("2026-11-25 21:41:16.713", cet)
	debT = at("2026-11-25 21:42:50.751", cet)
)

const sslSuffix = " SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)"

func TestReadLine(t *testing.T) {
	tests := []struct {
		name string
		in   string
		opt  parse.Options
		want []parse.Event // nil: the line is not a connection event
	}{
		// connection received
		{
			name: "received TCP",
			in:   up + "LOG:  connection received: host=10.0.0.5 port=54321",
			want: []parse.Event{{Kind: parse.Received, Time: upT, PID: 16044, Line: 1, Host: "10.0.0.5", Port: "54321"}},
		},
		{
			name: "received local socket",
			in:   up + "LOG:  connection received: host=[local]",
			want: []parse.Event{{Kind: parse.Received, Time: upT, PID: 16044, Line: 1, Host: "[local]"}},
		},
		{
			name: "received IPv6",
			in:   up + "LOG:  connection received: host=::1 port=38126",
			want: []parse.Event{{Kind: parse.Received, Time: upT, PID: 16044, Line: 1, Host: "::1", Port: "38126"}},
		},
		{
			name: "received Debian unknown user and db",
			in:   debPre + "LOG:  connection received: host=[local]",
			want: []parse.Event{{Kind: parse.Received, Time: debT, PID: 16889, Line: 1, Host: "[local]"}},
		},

		// connection authorized
		{
			name: "authorized with application_name",
			in:   up + "LOG:  connection authorized: user=alice database=appdb application_name=psql",
			want: []parse.Event{{Kind: parse.Connect, Time: upT, PID: 16044, Line: 1, User: "alice", DB: "appdb", App: "psql"}},
		},
		{
			name: "authorized without application_name",
			in:   up + "LOG:  connection authorized: user=alice database=appdb",
			want: []parse.Event{{Kind: parse.Connect, Time: upT, PID: 16044, Line: 1, User: "alice", DB: "appdb"}},
		},
		{
			name: "authorized empty application_name",
			in:   up + "LOG:  connection authorized: user=alice database=appdb application_name=",
			want: []parse.Event{{Kind: parse.Connect, Time: upT, PID: 16044, Line: 1, User: "alice", DB: "appdb"}},
		},
		{
			name: "authorized empty application_name with SSL",
			in:   up + "LOG:  connection authorized: user=alice database=appdb application_name=" + sslSuffix,
			want: []parse.Event{{Kind: parse.Connect, Time: upT, PID: 16044, Line: 1, User: "alice", DB: "appdb"}},
		},
		{
			name: "authorized application_name with spaces",
			in:   up + "LOG:  connection authorized: user=app_user database=production application_name=PostgreSQL JDBC Driver",
			want: []parse.Event{{Kind: parse.Connect, Time: upT, PID: 16044, Line: 1, User: "app_user", DB: "production", App: "PostgreSQL JDBC Driver"}},
		},
		{
			name: "authorized application_name with a fake SSL marker",
			in:   up + "LOG:  connection authorized: user=alice database=appdb application_name=evil SSL enabled (",
			want: []parse.Event{{Kind: parse.Connect, Time: upT, PID: 16044, Line: 1, User: "alice", DB: "appdb", App: "evil SSL enabled ("}},
		},
		{
			name: "authorized application_name with a fake SSL part, then real SSL",
			in:   up + "LOG:  connection authorized: user=alice database=appdb application_name=x SSL enabled (protocol=fake) y" + sslSuffix,
			want: []parse.Event{{Kind: parse.Connect, Time: upT, PID: 16044, Line: 1, User: "alice", DB: "appdb", App: "x SSL enabled (protocol=fake) y"}},
		},
		{
			name: "authorized observed odd application_name with SSL",
			in:   up + `LOG:  connection authorized: user=alice database=appdb application_name=my app=1 'q" ??` + sslSuffix,
			want: []parse.Event{{Kind: parse.Connect, Time: upT, PID: 16044, Line: 1, User: "alice", DB: "appdb", App: `my app=1 'q" ??`}},
		},
		{
			name: "authorized SSL",
			in:   up + "LOG:  connection authorized: user=alice database=appdb application_name=psql" + sslSuffix,
			want: []parse.Event{{Kind: parse.Connect, Time: upT, PID: 16044, Line: 1, User: "alice", DB: "appdb", App: "psql"}},
		},
		{
			name: "authorized SSL without application_name",
			in:   up + "LOG:  connection authorized: user=alice database=appdb" + sslSuffix,
			want: []parse.Event{{Kind: parse.Connect, Time: upT, PID: 16044, Line: 1, User: "alice", DB: "appdb"}},
		},
		{
			name: "authorized SSL 12 and 13 with compression",
			in:   up + "LOG:  connection authorized: user=alice database=appdb application_name=psql SSL enabled (protocol=TLSv1.2, cipher=ECDHE-RSA-AES256-GCM-SHA384, bits=256, compression=off)",
			want: []parse.Event{{Kind: parse.Connect, Time: upT, PID: 16044, Line: 1, User: "alice", DB: "appdb", App: "psql"}},
		},
		{
			name: "authorized GSS 14 and 15",
			in:   up + "LOG:  connection authorized: user=alice database=appdb application_name=psql GSS (authenticated=yes, encrypted=yes, principal=alice@EXAMPLE.COM)",
			want: []parse.Event{{Kind: parse.Connect, Time: upT, PID: 16044, Line: 1, User: "alice", DB: "appdb", App: "psql"}},
		},
		{
			name: "authorized GSS 16 without principal",
			in:   up + "LOG:  connection authorized: user=alice database=appdb GSS (authenticated=no, encrypted=yes, delegated_credentials=no)",
			want: []parse.Event{{Kind: parse.Connect, Time: upT, PID: 16044, Line: 1, User: "alice", DB: "appdb"}},
		},
		{
			name: "authorized GSS 16 with principal",
			in:   up + "LOG:  connection authorized: user=alice database=appdb application_name=psql GSS (authenticated=yes, encrypted=yes, delegated_credentials=no, principal=alice@EXAMPLE.COM)",
			want: []parse.Event{{Kind: parse.Connect, Time: upT, PID: 16044, Line: 1, User: "alice", DB: "appdb", App: "psql"}},
		},
		{
			name: "authorized SSL and GSS",
			in:   up + "LOG:  connection authorized: user=alice database=appdb application_name=psql" + sslSuffix + " GSS (authenticated=yes, encrypted=no, delegated_credentials=no, principal=alice@EXAMPLE.COM)",
			want: []parse.Event{{Kind: parse.Connect, Time: upT, PID: 16044, Line: 1, User: "alice", DB: "appdb", App: "psql"}},
		},
		{
			name: "authorized database name with spaces",
			in:   up + "LOG:  connection authorized: user=alice database=my db application_name=psql",
			want: []parse.Event{{Kind: parse.Connect, Time: upT, PID: 16044, Line: 1, User: "alice", DB: "my db", App: "psql"}},
		},
		{
			name: "authorized Debian prefix",
			in:   deb + "LOG:  connection authorized: user=alice database=appdb application_name=psql",
			want: []parse.Event{{Kind: parse.Connect, Time: debT, PID: 16889, Line: 1, User: "alice", DB: "appdb", App: "psql"}},
		},
		{
			name: "authorized verbose",
			in:   up + "LOG:  00000: connection authorized: user=alice database=appdb application_name=psql",
			want: []parse.Event{{Kind: parse.Connect, Time: upT, PID: 16044, Line: 1, User: "alice", DB: "appdb", App: "psql"}},
		},
		{
			name: "replication physical",
			in:   up + "LOG:  replication connection authorized: user=repl application_name=walreceiver",
			want: []parse.Event{{Kind: parse.Connect, Time: upT, PID: 16044, Line: 1, User: "repl", DB: parse.ReplicationDB, App: "walreceiver", Replication: true}},
		},
		{
			name: "replication 12 with SSL and no application_name",
			in:   up + "LOG:  replication connection authorized: user=repl SSL enabled (protocol=TLSv1.2, cipher=ECDHE-RSA-AES256-GCM-SHA384, bits=256, compression=off)",
			want: []parse.Event{{Kind: parse.Connect, Time: upT, PID: 16044, Line: 1, User: "repl", DB: parse.ReplicationDB, Replication: true}},
		},
		{
			name: "replication Debian physical walsender",
			in:   "2026-11-25 21:42:50.751 CET [16889] repl@[unknown] LOG:  replication connection authorized: user=repl application_name=walreceiver",
			want: []parse.Event{{Kind: parse.Connect, Time: debT, PID: 16889, Line: 1, User: "repl", DB: parse.ReplicationDB, App: "walreceiver", Replication: true}},
		},
		{
			name: "replication Debian logical walsender",
			in:   "2026-11-25 21:42:50.751 CET [16889] postgres@appdb LOG:  replication connection authorized: user=postgres application_name=psql",
			want: []parse.Event{{Kind: parse.Connect, Time: debT, PID: 16889, Line: 1, User: "postgres", DB: parse.ReplicationDB, App: "psql", Replication: true}},
		},

		// disconnection
		{
			name: "disconnection TCP",
			in:   up + "LOG:  disconnection: session time: 0:00:00.032 user=alice database=appdb host=127.0.0.1 port=59218",
			want: []parse.Event{{Kind: parse.Disconnect, Time: upT, PID: 16044, Line: 1, User: "alice", DB: "appdb", Host: "127.0.0.1", Port: "59218", Duration: 32 * time.Millisecond}},
		},
		{
			name: "disconnection local socket",
			in:   up + "LOG:  disconnection: session time: 0:00:02.300 user=postgres database=postgres host=[local]",
			want: []parse.Event{{Kind: parse.Disconnect, Time: upT, PID: 16044, Line: 1, User: "postgres", DB: "postgres", Host: "[local]", Duration: 2300 * time.Millisecond}},
		},
		{
			name: "disconnection IPv6",
			in:   up + "LOG:  disconnection: session time: 0:01:02.003 user=alice database=appdb host=::1 port=38126",
			want: []parse.Event{{Kind: parse.Disconnect, Time: upT, PID: 16044, Line: 1, User: "alice", DB: "appdb", Host: "::1", Port: "38126", Duration: time.Minute + 2*time.Second + 3*time.Millisecond}},
		},
		{
			name: "disconnection IPv6 with zone",
			in:   up + "LOG:  disconnection: session time: 0:00:00.001 user=alice database=appdb host=fe80::1%eth0 port=5432",
			want: []parse.Event{{Kind: parse.Disconnect, Time: upT, PID: 16044, Line: 1, User: "alice", DB: "appdb", Host: "fe80::1%eth0", Port: "5432", Duration: time.Millisecond}},
		},
		{
			name: "disconnection hours above 99",
			in:   up + "LOG:  disconnection: session time: 123:04:05.678 user=alice database=appdb host=10.0.0.5 port=54321",
			want: []parse.Event{{Kind: parse.Disconnect, Time: upT, PID: 16044, Line: 1, User: "alice", DB: "appdb", Host: "10.0.0.5", Port: "54321", Duration: 123*time.Hour + 4*time.Minute + 5*time.Second + 678*time.Millisecond}},
		},
		{
			name: "disconnection physical walsender",
			in:   up + "LOG:  disconnection: session time: 0:00:10.000 user=repl database= host=10.0.0.7 port=5000",
			want: []parse.Event{{Kind: parse.Disconnect, Time: upT, PID: 16044, Line: 1, User: "repl", Host: "10.0.0.7", Port: "5000", Duration: 10 * time.Second}},
		},
		{
			name: "disconnection Debian",
			in:   deb + "LOG:  disconnection: session time: 0:00:00.032 user=alice database=appdb host=[local]",
			want: []parse.Event{{Kind: parse.Disconnect, Time: debT, PID: 16889, Line: 1, User: "alice", DB: "appdb", Host: "[local]", Duration: 32 * time.Millisecond}},
		},

		// not connection events
		{
			name: "terminating connection due to administrator command",
			in:   up + "FATAL:  terminating connection due to administrator command",
		},
		{
			name: "connection authenticated",
			in:   up + `LOG:  connection authenticated: identity="alice" method=scram-sha-256 (/etc/postgresql/15/main/pg_hba.conf:3)`,
		},
		{
			name: "STATEMENT quoting connection authorized",
			in:   up + "STATEMENT:  select 'connection authorized: user=x database=y'",
		},
		{
			name: "statement log quoting connection authorized",
			in:   up + "LOG:  statement: select 'LOG:  connection authorized: user=x database=y'",
		},
		{
			name: "ERROR quoting connection authorized",
			in:   up + "ERROR:  connection authorized: user=x database=y",
		},
		{
			name: "continuation line quoting connection authorized",
			in:   "\tLOG:  connection authorized: user=x database=y",
		},
		{
			name: "DETAIL line",
			in:   up + `DETAIL:  Role "nobody" does not exist.`,
		},
		{
			name: "ready to accept connections",
			in:   debPM + "LOG:  database system is ready to accept connections",
		},
		{
			name: "crashed backend",
			in:   debPM + "LOG:  server process (PID 16177) was terminated by signal 9: Killed",
		},

		// server lifecycle
		{
			name: "reset starting PostgreSQL",
			in:   debPM + "LOG:  starting PostgreSQL 15.20 (Debian 15.20-0+deb12u1) on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit",
			want: []parse.Event{{Kind: parse.Reset, Time: at("2026-11-25 21:41:29.264", cet), PID: 15695, Line: 1, Reason: "restart"}},
		},
		{
			name: "reset database system is shut down",
			in:   debPM + "LOG:  database system is shut down",
			want: []parse.Event{{Kind: parse.Reset, Time: at("2026-11-25 21:41:29.264", cet), PID: 15695, Line: 1, Reason: "shutdown"}},
		},
		{
			name: "reset terminating any other active server processes",
			in:   debPM + "LOG:  terminating any other active server processes",
			want: []parse.Event{{Kind: parse.Reset, Time: at("2026-11-25 21:41:29.264", cet), PID: 15695, Line: 1, Reason: "crash"}},
		},
		{
			name: "reset all server processes terminated",
			in:   debPM + "LOG:  all server processes terminated; reinitializing",
			want: []parse.Event{{Kind: parse.Reset, Time: at("2026-11-25 21:41:29.264", cet), PID: 15695, Line: 1, Reason: "crash"}},
		},
		{
			name: "reset verbose",
			in:   debPM + "LOG:  00000: database system is shut down",
			want: []parse.Event{{Kind: parse.Reset, Time: at("2026-11-25 21:41:29.264", cet), PID: 15695, Line: 1, Reason: "shutdown"}},
		},

		// other prefixes
		{
			name: "RDS received",
			in:   "2024-01-01 12:00:00 UTC:10.0.0.5(54321):[unknown]@[unknown]:[12345]:LOG:  connection received: host=10.0.0.5 port=54321",
			want: []parse.Event{{Kind: parse.Received, Time: at("2024-01-01 12:00:00", utcTZ), PID: 12345, Line: 1, Host: "10.0.0.5", Port: "54321"}},
		},
		{
			name: "RDS authorized",
			in:   "2024-01-01 12:00:00 UTC:10.0.0.5(54321):alice@appdb:[12345]:LOG:  connection authorized: user=alice database=appdb application_name=psql",
			want: []parse.Event{{Kind: parse.Connect, Time: at("2024-01-01 12:00:00", utcTZ), PID: 12345, Line: 1, User: "alice", DB: "appdb", App: "psql", Host: "10.0.0.5", Port: "54321"}},
		},
		{
			name: "RDS postmaster",
			in:   "2024-01-01 12:00:00 UTC::@:[12760]:LOG:  database system is shut down",
			want: []parse.Event{{Kind: parse.Reset, Time: at("2024-01-01 12:00:00", utcTZ), PID: 12760, Line: 1, Reason: "shutdown"}},
		},
		{
			name: "RDS failure",
			in:   `2024-01-01 12:00:00 UTC:10.0.0.5(54321):alice@nope:[12345]:FATAL:  database "nope" does not exist`,
			want: []parse.Event{{Kind: parse.Failure, Time: at("2024-01-01 12:00:00", utcTZ), PID: 12345, Line: 1, User: "alice", DB: "nope", Host: "10.0.0.5", Port: "54321", Reason: `database "nope" does not exist`, Category: "database_does_not_exist", AfterAuth: true}},
		},
		{
			name: "RDS failure over IPv6",
			in:   `2024-01-01 12:00:00 UTC:::1(38126):alice@appdb:[12345]:FATAL:  password authentication failed for user "alice"`,
			want: []parse.Event{{Kind: parse.Failure, Time: at("2024-01-01 12:00:00", utcTZ), PID: 12345, Line: 1, User: "alice", DB: "appdb", Host: "::1", Port: "38126", Reason: "password authentication failed", Category: "authentication_failed"}},
		},
		{
			name: "older Debian",
			in:   "2016-01-01 10:00:00 UTC [123-1] alice@appdb LOG:  connection authorized: user=alice database=appdb",
			want: []parse.Event{{Kind: parse.Connect, Time: at("2016-01-01 10:00:00", utcTZ), PID: 123, Line: 1, User: "alice", DB: "appdb"}},
		},
		{
			name: "Azure",
			in:   "2024-01-01 12:00:00 UTC-65a1b2c3.1a2b-LOG:  connection received: host=10.0.0.5 port=5432",
			want: []parse.Event{{Kind: parse.Received, Time: at("2024-01-01 12:00:00", utcTZ), PID: 0x1a2b, Line: 1, Host: "10.0.0.5", Port: "5432"}},
		},
		{
			name: "pgBadger authorized",
			in:   "2024-01-01 12:00:00 UTC [12345]: [3-1] user=alice,db=appdb,app=[unknown],client=10.0.0.5 LOG:  connection authorized: user=alice database=appdb application_name=psql",
			want: []parse.Event{{Kind: parse.Connect, Time: at("2024-01-01 12:00:00", utcTZ), PID: 12345, Line: 1, User: "alice", DB: "appdb", App: "psql", Host: "10.0.0.5"}},
		},
		{
			name: "pgBadger disconnection takes the application from the prefix",
			in:   "2024-01-01 12:00:00 UTC [12345]: [9-1] user=alice,db=appdb,app=psql,client=10.0.0.5 LOG:  disconnection: session time: 0:00:05.000 user=alice database=appdb host=10.0.0.5 port=54321",
			want: []parse.Event{{Kind: parse.Disconnect, Time: at("2024-01-01 12:00:00", utcTZ), PID: 12345, Line: 1, User: "alice", DB: "appdb", App: "psql", Host: "10.0.0.5", Port: "54321", Duration: 5 * time.Second}},
		},
		{
			name: "no pid in prefix",
			in:   "2026-11-25 21:41:16.713 CET LOG:  connection authorized: user=alice database=appdb",
			want: []parse.Event{{Kind: parse.Connect, Time: upT, Line: 1, User: "alice", DB: "appdb"}},
		},
		{
			name: "empty prefix",
			in:   "LOG:  connection authorized: user=alice database=appdb",
			want: []parse.Event{{Kind: parse.Connect, Line: 1, User: "alice", DB: "appdb"}},
		},

		// explicit --prefix
		{
			name: "prefix option with padding",
			in:   `2026-11-25 21:41:16 UTC [  123] alice     @appdb    FATAL:  too many connections for role "alice"`,
			opt:  parse.Options{Prefix: "%t [%5p] %-10u@%-8d "},
			want: []parse.Event{{Kind: parse.Failure, Time: at("2026-11-25 21:41:16", utcTZ), PID: 123, Line: 1, User: "alice", DB: "appdb", Reason: `too many connections for role "alice"`, Category: "too_many_connections_for_role", AfterAuth: true}},
		},
		{
			name: "prefix option with padding and space separators",
			in:   `2026-11-25 21:41:16 UTC   123 alice      appdb: FATAL:  too many connections for role "alice"`,
			opt:  parse.Options{Prefix: "%t %5p %-10u %d: "},
			want: []parse.Event{{Kind: parse.Failure, Time: at("2026-11-25 21:41:16", utcTZ), PID: 123, Line: 1, User: "alice", DB: "appdb", Reason: `too many connections for role "alice"`, Category: "too_many_connections_for_role", AfterAuth: true}},
		},
		{
			name: "prefix option with right-aligned padding",
			in:   `2026-11-25 21:41:16 UTC [  123]      alice appdb FATAL:  too many connections for role "alice"`,
			opt:  parse.Options{Prefix: "%t [%5p] %10u %d "},
			want: []parse.Event{{Kind: parse.Failure, Time: at("2026-11-25 21:41:16", utcTZ), PID: 123, Line: 1, User: "alice", DB: "appdb", Reason: `too many connections for role "alice"`, Category: "too_many_connections_for_role", AfterAuth: true}},
		},
		{
			name: "prefix option postmaster line with padded session escapes",
			in:   "2026-11-25 21:41:16 UTC [  123]            LOG:  database system is shut down",
			opt:  parse.Options{Prefix: "%t [%5p] %-10u "},
			want: []parse.Event{{Kind: parse.Reset, Time: at("2026-11-25 21:41:16", utcTZ), PID: 123, Line: 1, Reason: "shutdown"}},
		},
		{
			name: "prefix option with session id",
			in:   "2026-11-25 21:41:16.694 CET 6b0747ec.3eac app=psql LOG:  disconnection: session time: 0:00:00.032 user=alice database=appdb host=[local]",
			opt:  parse.Options{Prefix: "%m %c app=%a "},
			want: []parse.Event{{Kind: parse.Disconnect, Time: at("2026-11-25 21:41:16.694", cet), PID: 0x3eac, Line: 1, User: "alice", DB: "appdb", App: "psql", Host: "[local]", Duration: 32 * time.Millisecond}},
		},

		// time zones
		{
			name: "zone UTC",
			in:   "2026-11-25 20:41:16.713 UTC [16044] LOG:  connection authorized: user=alice database=appdb",
			want: []parse.Event{{Kind: parse.Connect, Time: at("2026-11-25 20:41:16.713", utcTZ), PID: 16044, Line: 1, User: "alice", DB: "appdb"}},
		},
		{
			name: "zone -03",
			in:   "2026-11-25 17:41:16.713 -03 [16044] LOG:  connection authorized: user=alice database=appdb",
			want: []parse.Event{{Kind: parse.Connect, Time: at("2026-11-25 17:41:16.713", brt), PID: 16044, Line: 1, User: "alice", DB: "appdb"}},
		},
		{
			name: "zone +0545",
			in:   "2026-11-26 02:26:16.713 +0545 [16044] LOG:  connection authorized: user=alice database=appdb",
			want: []parse.Event{{Kind: parse.Connect, Time: at("2026-11-26 02:26:16.713", npt), PID: 16044, Line: 1, User: "alice", DB: "appdb"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := readAll(t, strings.NewReader(tc.in+"\n"), tc.opt)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("events mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
