package parse

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// got is what a prefix match extracted, in comparable form.
type got struct {
	Time                          string // "" when the prefix has no time stamp
	PID                           int
	User, DB, App, Host, Port     string
	UserSet, DBSet, AppSet, HostS bool
}

func view(f *fields) got {
	g := got{
		PID:  f.pid,
		User: string(f.user), DB: string(f.db), App: string(f.app), Host: string(f.host), Port: string(f.port),
		UserSet: f.user != nil, DBSet: f.db != nil, AppSet: f.app != nil, HostS: f.host != nil,
	}
	if f.hasTime {
		g.Time = f.time.UTC().Format(time.RFC3339Nano)
	}
	return g
}

func TestPrefixMatch(t *testing.T) {
	tests := []struct {
		name, prefix, in string
		want             *got // nil: no match
	}{
		{
			name: "upstream default", prefix: "%m [%p] ", in: "2026-11-25 21:41:16.713 CET [16044] ",
			want: &got{Time: "2026-11-25T20:41:16.713Z", PID: 16044},
		},
		{
			name: "Debian session", prefix: "%m [%p] %q%u@%d ", in: "2026-11-25 21:42:50.751 CET [16889] alice@appdb ",
			want: &got{Time: "2026-11-25T20:42:50.751Z", PID: 16889, User: "alice", DB: "appdb", UserSet: true, DBSet: true},
		},
		{
			name: "Debian postmaster stops at %q", prefix: "%m [%p] %q%u@%d ", in: "2026-11-25 21:41:29.264 CET [15695] ",
			want: &got{Time: "2026-11-25T20:41:29.264Z", PID: 15695},
		},
		{
			name: "Debian unknown placeholders", prefix: "%m [%p] %q%u@%d ", in: "2026-11-25 21:42:50.751 CET [16889] [unknown]@[unknown] ",
			want: &got{Time: "2026-11-25T20:42:50.751Z", PID: 16889},
		},
		{
			name: "Debian database name with spaces", prefix: "%m [%p] %q%u@%d ", in: "2026-11-25 21:42:50.751 CET [16889] alice@my db ",
			want: &got{Time: "2026-11-25T20:42:50.751Z", PID: 16889, User: "alice", DB: "my db", UserSet: true, DBSet: true},
		},
		{
			name: "older Debian", prefix: "%t [%p-%l] %q%u@%d ", in: "2016-01-01 10:00:00 UTC [123-1] alice@appdb ",
			want: &got{Time: "2016-01-01T10:00:00Z", PID: 123, User: "alice", DB: "appdb", UserSet: true, DBSet: true},
		},
		{
			name: "RDS session", prefix: "%t:%r:%u@%d:[%p]:", in: "2024-01-01 12:00:00 UTC:10.0.0.5(54321):alice@appdb:[12345]:",
			want: &got{Time: "2024-01-01T12:00:00Z", PID: 12345, User: "alice", DB: "appdb", Host: "10.0.0.5", Port: "54321", UserSet: true, DBSet: true, HostS: true},
		},
		{
			name: "RDS IPv6", prefix: "%t:%r:%u@%d:[%p]:", in: "2024-01-01 12:00:00 UTC:::1(38126):alice@appdb:[12345]:",
			want: &got{Time: "2024-01-01T12:00:00Z", PID: 12345, User: "alice", DB: "appdb", Host: "::1", Port: "38126", UserSet: true, DBSet: true, HostS: true},
		},
		{
			name: "RDS local socket", prefix: "%t:%r:%u@%d:[%p]:", in: "2024-01-01 12:00:00 UTC:[local]:alice@appdb:[12345]:",
			want: &got{Time: "2024-01-01T12:00:00Z", PID: 12345, User: "alice", DB: "appdb", Host: "[local]", UserSet: true, DBSet: true, HostS: true},
		},
		{
			name: "RDS postmaster", prefix: "%t:%r:%u@%d:[%p]:", in: "2024-01-01 12:00:00 UTC::@:[12760]:",
			want: &got{Time: "2024-01-01T12:00:00Z", PID: 12760},
		},
		{
			name: "pgBadger", prefix: "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",
			in:   "2024-01-01 12:00:00 UTC [12345]: [3-1] user=alice,db=appdb,app=psql,client=10.0.0.5 ",
			want: &got{Time: "2024-01-01T12:00:00Z", PID: 12345, User: "alice", DB: "appdb", App: "psql", Host: "10.0.0.5", UserSet: true, DBSet: true, AppSet: true, HostS: true},
		},
		{
			name: "pgBadger application with spaces and commas", prefix: "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",
			in:   "2024-01-01 12:00:00 UTC [12345]: [3-1] user=alice,db=appdb,app=PostgreSQL JDBC Driver, v42,client=10.0.0.5 ",
			want: &got{Time: "2024-01-01T12:00:00Z", PID: 12345, User: "alice", DB: "appdb", App: "PostgreSQL JDBC Driver, v42", Host: "10.0.0.5", UserSet: true, DBSet: true, AppSet: true, HostS: true},
		},
		{
			name: "Azure session id", prefix: "%t-%c-", in: "2024-01-01 12:00:00 UTC-65a1b2c3.1a2b-",
			want: &got{Time: "2024-01-01T12:00:00Z", PID: 0x1a2b},
		},
		{
			name: "epoch", prefix: "%n [%p] ", in: "1795646476.694 [42] ",
			want: &got{Time: "2026-11-25T22:41:16.694Z", PID: 42},
		},
		{
			name: "no pid", prefix: "%m ", in: "2026-11-25 21:41:16.713 CET ",
			want: &got{Time: "2026-11-25T20:41:16.713Z"},
		},
		{
			name: "empty prefix", prefix: "", in: "",
			want: &got{},
		},
		{
			name: "percent literal", prefix: "100%% [%p] ", in: "100% [42] ",
			want: &got{PID: 42},
		},
		{
			name: "unknown escape prints nothing", prefix: "%t %z[%p] ", in: "2024-01-01 12:00:00 UTC [42] ",
			want: &got{Time: "2024-01-01T12:00:00Z", PID: 42},
		},
		{
			name: "lone percent at the end is ignored", prefix: "[%p] %", in: "[42] ",
			want: &got{PID: 42},
		},
		{
			name: "format ending inside padding stops there", prefix: "[%p] %-1", in: "[42] ",
			want: &got{PID: 42},
		},
		{
			name: "left-aligned padding", prefix: "%-10u|%-8d|", in: "alice     |appdb   |",
			want: &got{User: "alice", DB: "appdb", UserSet: true, DBSet: true},
		},
		{
			name: "right-aligned padding", prefix: "[%5p] %10u ", in: "[  123]      alice ",
			want: &got{PID: 123, User: "alice", UserSet: true},
		},
		{
			name: "padding with space separators", prefix: "%5p %-10u %d ", in: "  123 alice      appdb ",
			want: &got{PID: 123, User: "alice", DB: "appdb", UserSet: true, DBSet: true},
		},
		{
			name: "padding overflow", prefix: "%-3u %d ", in: "alice appdb ",
			want: &got{User: "alice", DB: "appdb", UserSet: true, DBSet: true},
		},
		{
			name: "padding prints spaces for a non-session process", prefix: "[%5p] %-10u ", in: "[  123]            ",
			want: &got{PID: 123},
		},
		{
			name: "padded host and port", prefix: "%-22r|", in: "10.0.0.5(54321)       |",
			want: &got{Host: "10.0.0.5", Port: "54321", HostS: true},
		},
		{
			name: "backend type and ps display", prefix: "%m [%p] %b %i: ", in: "2026-11-25 21:41:16.713 CET [42] client backend idle in transaction: ",
			want: &got{Time: "2026-11-25T20:41:16.713Z", PID: 42},
		},
		{
			name: "numeric escapes", prefix: "%m [%p] %e %l %x %v %Q %P|", in: "2026-11-25 21:41:16.713 CET [42] 00000 7 0 3/35 -8123456789 |",
			want: &got{Time: "2026-11-25T20:41:16.713Z", PID: 42},
		},
		{
			name: "process start time is not the time stamp", prefix: "%s [%p] ", in: "2026-11-25 21:41:16 CET [42] ",
			want: &got{PID: 42},
		},
		{
			name: "numeric zone", prefix: "%m [%p] ", in: "2026-11-26 02:26:16.713 +0545 [42] ",
			want: &got{Time: "2026-11-25T20:41:16.713Z", PID: 42},
		},

		// no match
		{name: "pid not a number", prefix: "%m [%p] ", in: "2026-11-25 21:41:16.713 CET [abc] "},
		{name: "bad time stamp", prefix: "%m [%p] ", in: "2026-13-25 21:41:16.713 CET [42] "},
		{name: "missing literal", prefix: "%m [%p] ", in: "2026-11-25 21:41:16.713 CET 42 "},
		{name: "trailing text", prefix: "%m [%p] ", in: "2026-11-25 21:41:16.713 CET [42] x "},
		{name: "host with a space", prefix: "%h ", in: "10.0.0.5 x "},
		{name: "bad SQLSTATE", prefix: "%e ", in: "0000 "},
		{name: "padding too short", prefix: "[%5p]", in: "[123]"},
		{name: "Debian prefix on an RDS line", prefix: "%m [%p] %q%u@%d ", in: "2024-01-01 12:00:00 UTC:10.0.0.5(54321):alice@appdb:[12345]:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := compilePrefix(tc.prefix)
			if p.String() != tc.prefix {
				t.Errorf("String() = %q, want %q", p.String(), tc.prefix)
			}
			var f fields
			var zc zoneCache
			ok := p.match([]byte(tc.in), &f, &zc)
			if tc.want == nil {
				if ok {
					t.Errorf("match(%q) = true, want false; got %+v", tc.in, view(&f))
				}
				return
			}
			if !ok {
				t.Fatalf("match(%q) = false, want true", tc.in)
			}
			if diff := cmp.Diff(*tc.want, view(&f)); diff != "" {
				t.Errorf("fields mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPrefixMatchBounded(t *testing.T) {
	// Many escapes with no literal between them force backtracking; a
	// hostile line must fail fast rather than explore every split.
	p := compilePrefix("%u%d%a%h%u%d%a%h%u%d%a%h [%p] ")
	in := make([]byte, 0, 4000)
	for len(in) < 3900 {
		in = append(in, "a b "...)
	}
	var f fields
	var zc zoneCache
	start := time.Now()
	p.match(in, &f, &zc)
	if d := time.Since(start); d > time.Second {
		t.Errorf("match took %v", d)
	}
}

func TestPrefixHas(t *testing.T) {
	tests := []struct {
		prefix          string
		hasPID, hasTime bool
	}{
		{"%m [%p] ", true, true},
		{"%t-%c-", true, true},
		{"%n ", false, true},
		{"%u@%d ", false, false},
		{"%%p %%m ", false, false},
		{"", false, false},
	}
	for _, tc := range tests {
		p := compilePrefix(tc.prefix)
		if p.hasPID() != tc.hasPID || p.hasTime() != tc.hasTime {
			t.Errorf("compilePrefix(%q): HasPID, HasTime = %v, %v; want %v, %v", tc.prefix, p.hasPID(), p.hasTime(), tc.hasPID, tc.hasTime)
		}
	}
}

func TestKnownPrefixesCompile(t *testing.T) {
	for _, s := range knownPrefixes {
		if p := compilePrefix(s); p.String() != s {
			t.Errorf("compilePrefix(%q).String() = %q", s, p.String())
		}
	}
}
