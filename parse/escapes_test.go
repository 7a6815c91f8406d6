package parse

import (
	"testing"
)

// One case per escape of log_line_prefix (elog.c log_status_format), each
// with a line as the server prints it.
func TestPrefixEscapes(t *testing.T) {
	msg := "LOG:  connection received: host=[local]"
	tests := []struct {
		name, prefix, line, want string
	}{
		{"a app", "%m [%p] %a ", "2026-11-25 21:41:16.713 CET [16044] my app LOG:  disconnection: session time: 0:00:01.000 user=u database=d host=[local]",
			`disconnect 2026-11-25T21:41:16.713+01:00 pid=16044 line=1 user="u" db="d" app="my app" host="[local]" dur=1s`},
		{"a unknown", "%m [%p] %a ", "2026-11-25 21:41:16.713 CET [16044] [unknown] " + msg,
			`received 2026-11-25T21:41:16.713+01:00 pid=16044 line=1 host="[local]"`},
		{"u d", "%m [%p] %q%u@%d ", "2026-11-25 21:41:16.713 UTC [7] alice@appdb FATAL:  too many connections for role \"alice\"",
			`failure 2026-11-25T21:41:16.713Z pid=7 line=1 user="alice" db="appdb" reason="too many connections for role \"alice\"" afterauth`},
		{"q postmaster", "%m [%p] %q%u@%d ", "2026-11-25 21:41:16.713 UTC [7] LOG:  database system is shut down",
			`reset 2026-11-25T21:41:16.713Z pid=7 line=1 reason="shutdown"`},
		{"r ipv4", "%t:%r:%u@%d:[%p]:", "2024-01-01 12:00:00 UTC:10.0.0.5(54321):alice@appdb:[12345]:FATAL:  sorry, too many clients already",
			`failure 2024-01-01T12:00:00.000Z pid=12345 line=1 user="alice" db="appdb" host="10.0.0.5" port="54321" reason="too many connections"`},
		{"r ipv6", "%t:%r:%u@%d:[%p]:", "2024-01-01 12:00:00 UTC:::1(38126):alice@appdb:[12345]:FATAL:  sorry, too many clients already",
			`failure 2024-01-01T12:00:00.000Z pid=12345 line=1 user="alice" db="appdb" host="::1" port="38126" reason="too many connections"`},
		{"r local", "%t:%r:%u@%d:[%p]:", "2024-01-01 12:00:00 UTC:[local]:alice@appdb:[12345]:FATAL:  sorry, too many clients already",
			`failure 2024-01-01T12:00:00.000Z pid=12345 line=1 user="alice" db="appdb" host="[local]" reason="too many connections"`},
		{"r postmaster", "%t:%r:%u@%d:[%p]:", "2024-01-01 12:00:00 UTC::@:[12760]:LOG:  database system is shut down",
			`reset 2024-01-01T12:00:00.000Z pid=12760 line=1 reason="shutdown"`},
		{"h", "%m %h [%p] ", "2026-11-25 21:41:16.713 UTC fe80::1%eth0 [9] FATAL:  sorry, too many clients already",
			`failure 2026-11-25T21:41:16.713Z pid=9 line=1 host="fe80::1%eth0" reason="too many connections"`},
		{"L", "%m [%p] %L ", "2026-11-25 21:41:16.713 UTC [9] 127.0.0.1 FATAL:  sorry, too many clients already",
			`failure 2026-11-25T21:41:16.713Z pid=9 line=1 reason="too many connections"`},
		{"L none", "%m [%p] %L ", "2026-11-25 21:41:16.713 UTC [9] [none] LOG:  database system is shut down",
			`reset 2026-11-25T21:41:16.713Z pid=9 line=1 reason="shutdown"`},
		{"b with space", "%m [%p] %b %u@%d ", "2026-11-25 21:41:16.713 UTC [9] client backend alice@appdb FATAL:  sorry, too many clients already",
			`failure 2026-11-25T21:41:16.713Z pid=9 line=1 user="alice" db="appdb" reason="too many connections"`},
		{"b not initialized", "%m [%p] %b ", "2026-11-25 21:41:16.713 UTC [9] not initialized " + msg,
			`received 2026-11-25T21:41:16.713Z pid=9 line=1 host="[local]"`},
		{"P empty", "%m [%p:%P] ", "2026-11-25 21:41:16.713 UTC [9:] " + msg,
			`received 2026-11-25T21:41:16.713Z pid=9 line=1 host="[local]"`},
		{"P leader", "%m [%p:%P] ", "2026-11-25 21:41:16.713 UTC [9:8] " + msg,
			`received 2026-11-25T21:41:16.713Z pid=9 line=1 host="[local]"`},
		{"t zone letters", "%t [%p] ", "2026-03-29 01:59:59 ACDT [9] " + msg,
			`received 2026-03-29T01:59:59.000+10:30 pid=9 line=1 host="[local]"`},
		{"t numeric zone", "%t [%p] ", "2026-11-25 17:41:16 -03 [9] " + msg,
			`received 2026-11-25T17:41:16.000-03:00 pid=9 line=1 host="[local]"`},
		{"m +0545", "%m [%p] ", "2026-11-25 21:41:16.713 +0545 [9] " + msg,
			`received 2026-11-25T21:41:16.713+05:45 pid=9 line=1 host="[local]"`},
		{"n epoch", "%n [%p] ", "1795646476.694 [9] " + msg,
			`received 2026-11-25T22:41:16.694Z pid=9 line=1 host="[local]"`},
		{"i idle in transaction", "%m [%p] %i: ", "2026-11-25 21:41:16.713 UTC [9] idle in transaction: FATAL:  sorry, too many clients already",
			`failure 2026-11-25T21:41:16.713Z pid=9 line=1 reason="too many connections"`},
		{"i empty", "%m [%p] %i: ", "2026-11-25 21:41:16.713 UTC [9] : " + msg,
			`received 2026-11-25T21:41:16.713Z pid=9 line=1 host="[local]"`},
		{"e", "%m [%p] %e ", "2026-11-25 21:41:16.713 UTC [9] 53300 FATAL:  sorry, too many clients already",
			`failure 2026-11-25T21:41:16.713Z pid=9 line=1 reason="too many connections"`},
		{"c no p", "%m %c ", "2026-11-25 21:41:16.713 UTC 6b0747ec.3eac " + msg,
			`received 2026-11-25T21:41:16.713Z pid=16044 line=1 host="[local]"`},
		{"l", "%t [%p-%l] %q%u@%d ", "2016-01-01 10:00:00 UTC [123-1] [unknown]@[unknown] " + msg,
			`received 2016-01-01T10:00:00.000Z pid=123 line=1 host="[local]"`},
		{"s", "%m [%p] %s ", "2026-11-25 21:41:16.713 UTC [9] 2026-11-25 21:41:16 UTC " + msg,
			`received 2026-11-25T21:41:16.713Z pid=9 line=1 host="[local]"`},
		{"v empty", "%m [%p] %v ", "2026-11-25 21:41:16.713 UTC [9]  " + msg,
			`received 2026-11-25T21:41:16.713Z pid=9 line=1 host="[local]"`},
		{"v x", "%m [%p] %v %x ", "2026-11-25 21:41:16.713 UTC [9] 3/35 0 FATAL:  sorry, too many clients already",
			`failure 2026-11-25T21:41:16.713Z pid=9 line=1 reason="too many connections"`},
		{"Q negative", "%m [%p] %Q ", "2026-11-25 21:41:16.713 UTC [9] -8734683928342 " + msg,
			`received 2026-11-25T21:41:16.713Z pid=9 line=1 host="[local]"`},
		{"percent", "%m [%p] 100%% ", "2026-11-25 21:41:16.713 UTC [9] 100% " + msg,
			`received 2026-11-25T21:41:16.713Z pid=9 line=1 host="[local]"`},
		{"pad left", "%m [%-10u] [%5p] ", "2026-11-25 21:41:16.713 UTC [alice     ] [   42] FATAL:  sorry, too many clients already",
			`failure 2026-11-25T21:41:16.713Z pid=42 line=1 user="alice" reason="too many connections"`},
		{"pad postmaster", "%m [%-10u] [%5p] ", "2026-11-25 21:41:16.713 UTC [          ] [   42] LOG:  database system is shut down",
			`reset 2026-11-25T21:41:16.713Z pid=42 line=1 reason="shutdown"`},
		{"name with space", "%m [%p] %q%u@%d ", "2026-11-25 21:41:16.713 UTC [9] we ird@my db FATAL:  too many connections for role \"we ird\"",
			`failure 2026-11-25T21:41:16.713Z pid=9 line=1 user="we ird" db="my db" reason="too many connections for role \"we ird\"" afterauth`},
		{"unknown escape", "%m [%p] %z%k ", "2026-11-25 21:41:16.713 UTC [9]  " + msg,
			`received 2026-11-25T21:41:16.713Z pid=9 line=1 host="[local]"`},
		{"lone percent at end", "%m [%p] %", "2026-11-25 21:41:16.713 UTC [9] " + msg,
			`received 2026-11-25T21:41:16.713Z pid=9 line=1 host="[local]"`},
		{"padding at end", "%m [%p] %-1", "2026-11-25 21:41:16.713 UTC [9] " + msg,
			`received 2026-11-25T21:41:16.713Z pid=9 line=1 host="[local]"`},
		{"azure", "%t-%c-", "2024-01-01 12:00:00 UTC-65a1b2c3.1a2b-LOG:  connection received: host=10.0.0.5 port=5432",
			`received 2024-01-01T12:00:00.000Z pid=6699 line=1 host="10.0.0.5" port="5432"`},
		{"empty prefix", "", msg, `received line=1 host="[local]"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			evs, st := readAll(t, tc.line+"\n", Options{Prefix: tc.prefix})
			check(t, evs, tc.want)
			if st.Loose != 0 {
				t.Errorf("prefix %q did not match %q", tc.prefix, tc.line)
			}
			// The same line must be read alike without --prefix when the
			// prefix is a known one.
		})
	}
}

// Auto-detection without --prefix: each known form is recognised with no
// loose match.
func TestPrefixDetection(t *testing.T) {
	tests := []struct {
		name, log, want string
	}{
		{"upstream default %m [%p] ", "2026-11-25 21:41:16.713 CET [16044] LOG:  connection authorized: user=alice database=appdb application_name=psql",
			`connect 2026-11-25T21:41:16.713+01:00 pid=16044 line=1 user="alice" db="appdb" app="psql"`},
		{"debian %m [%p] %q%u@%d ", "2026-11-25 21:42:50.751 CET [16889] alice@appdb LOG:  connection authorized: user=alice database=appdb",
			`connect 2026-11-25T21:42:50.751+01:00 pid=16889 line=1 user="alice" db="appdb"`},
		{"pgbadger old", "2026-11-25 21:42:50 UTC [16889]: [3-1] user=alice,db=appdb,app=psql,client=10.0.0.5 FATAL:  database \"appdb\" does not exist",
			`failure 2026-11-25T21:42:50.000Z pid=16889 line=1 user="alice" db="appdb" app="psql" host="10.0.0.5" reason="database \"appdb\" does not exist" afterauth`},
		{"old debian %t [%p-%l] %q%u@%d ", "2016-01-01 10:00:00 UTC [123-1] alice@appdb LOG:  disconnection: session time: 0:00:00.032 user=alice database=appdb host=[local]",
			`disconnect 2016-01-01T10:00:00.000Z pid=123 line=1 user="alice" db="appdb" host="[local]" dur=32ms`},
		{"rds", "2024-01-01 12:00:00 UTC:10.0.0.5(54321):alice@appdb:[12345]:LOG:  connection authorized: user=alice database=appdb",
			`connect 2024-01-01T12:00:00.000Z pid=12345 line=1 user="alice" db="appdb" host="10.0.0.5" port="54321"`},
		{"azure", "2024-01-01 12:00:00 UTC-65a1b2c3.1a2b-LOG:  connection received: host=10.0.0.5 port=5432",
			`received 2024-01-01T12:00:00.000Z pid=6699 line=1 host="10.0.0.5" port="5432"`},
		{"epoch %n [%p] ", "1795646476.694 [9] LOG:  connection received: host=[local]",
			`received 2026-11-25T22:41:16.694Z pid=9 line=1 host="[local]"`},
		{"%m %c ", "2026-11-25 21:41:16.713 UTC 6b0747ec.3eac LOG:  connection received: host=[local]",
			`received 2026-11-25T21:41:16.713Z pid=16044 line=1 host="[local]"`},
		{"no pid %m ", "2026-11-25 21:41:16.713 UTC LOG:  connection received: host=[local]",
			`received 2026-11-25T21:41:16.713Z line=1 host="[local]"`},
		{"no pid %m %q%u@%d ", "2026-11-25 21:41:16.713 UTC alice@appdb FATAL:  sorry, too many clients already",
			`failure 2026-11-25T21:41:16.713Z line=1 user="alice" db="appdb" reason="too many connections"`},
		{"cloud sql", "[24667]: [2-1] db=appdb,user=alice LOG:  connection authorized: user=alice database=appdb",
			`connect pid=24667 line=1 user="alice" db="appdb"`},
		{"empty", "LOG:  connection authorized: user=alice database=appdb",
			`connect line=1 user="alice" db="appdb"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			evs, st := readAll(t, tc.log+"\n", Options{})
			check(t, evs, tc.want)
			if st.Loose != 0 {
				t.Errorf("no known prefix matched (Loose=%d)", st.Loose)
			}
			if st.Format != Stderr {
				t.Errorf("Format = %q, want stderr", st.Format)
			}
		})
	}
}
