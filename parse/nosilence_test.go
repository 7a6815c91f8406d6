package parse

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// respace re-serialises each JSON object line of in as a log shipper
// might: keys in reverse order, sep after each colon and comma. Lines
// that are not whole objects are kept.
func respace(t *testing.T, in, colon, comma string) string {
	t.Helper()
	var out strings.Builder
	for line := range strings.Lines(in) {
		var m map[string]json.RawMessage
		if json.Unmarshal([]byte(line), &m) != nil {
			out.WriteString(line)
			continue
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		slices.Reverse(keys)
		out.WriteString("{")
		for i, k := range keys {
			if i > 0 {
				out.WriteString(comma)
			}
			kb, _ := json.Marshal(k)
			out.Write(kb)
			out.WriteString(colon)
			out.Write(m[k])
		}
		out.WriteString("}\n")
	}
	return out.String()
}

// jsonlog re-serialised with spaces (Python's json.dumps), keys in any
// order and any spacing counts the same as PostgreSQL's compact form.
func TestJSONLogAnySpacing(t *testing.T) {
	want, _ := readAll(t, jsonLines, Options{})
	if len(want) != 5 {
		t.Fatalf("compact form: %d events, want 5", len(want))
	}
	for _, c := range []struct{ name, colon, comma string }{
		{"json.dumps", ": ", ", "},
		{"compact, keys reversed", ":", ","},
		{"spaces around colons", " : ", " ,\t"},
	} {
		in := respace(t, jsonLines, c.colon, c.comma)
		if in == jsonLines {
			t.Fatal("respace changed nothing")
		}
		for _, opt := range []Options{{}, {Format: JSONLog}} {
			got, st := readAll(t, in, opt)
			if st.Format != JSONLog {
				t.Errorf("%s: detected %s, want jsonlog", c.name, st.Format)
			}
			if showAll(got) != showAll(want) {
				t.Errorf("%s, %+v:\n%s\nwant the compact form's:\n%s", c.name, opt, showAll(got), showAll(want))
			}
		}
	}
}

// A UTF-8 byte order mark at the start of a file (Windows tools, some
// editors) is not part of the log: every format is detected and read
// as without it.
func TestBOM(t *testing.T) {
	for _, c := range []struct {
		name string
		in   string
		f    Format
	}{
		{"csvlog", csv12 + csv13 + csv14, CSVLog},
		{"jsonlog", jsonLines, JSONLog},
		{"syslog", syslogLines, Syslog},
		{"stderr", "2026-11-25 21:41:16.713 CET [16044] alice@appdb LOG:  connection authorized: user=alice database=appdb\n", Stderr},
	} {
		want, _ := readAll(t, c.in, Options{})
		if len(want) == 0 {
			t.Fatalf("%s: no events without a BOM", c.name)
		}
		for _, opt := range []Options{{}, {Format: c.f}} {
			got, st := readAll(t, string(bom)+c.in, opt)
			if st.Format != c.f {
				t.Errorf("%s with a BOM: format %s, want %s", c.name, st.Format, c.f)
			}
			if showAll(got) != showAll(want) {
				t.Errorf("%s with a BOM, %+v:\n%s\nwant:\n%s", c.name, opt, showAll(got), showAll(want))
			}
		}
	}
	// A BOM alone, or a short input, is no error.
	for _, in := range []string{string(bom), "\xef\xbb", ""} {
		if evs, _ := readAll(t, in, Options{}); len(evs) != 0 {
			t.Errorf("%q: %d events", in, len(evs))
		}
	}
}

// A syslog tag PID too long to be one (it would wrap around: 2^64+1
// became PID 1) is no PID, as an over-long %p in a prefix is.
func TestSyslogTagPIDOverflow(t *testing.T) {
	in := "2026-11-25T21:43:01+00:00 vm postgres[1]: [8] LOG:  connection authorized: user=alice database=appdb\n" +
		"2026-11-25T21:43:02+00:00 vm postgres[18446744073709551617]: [8] LOG:  connection authorized: user=bob database=appdb\n" +
		"2026-11-25T21:43:03+00:00 vm postgres[99999999999]: [8] LOG:  connection authorized: user=carol database=appdb\n"
	evs, _ := readAll(t, in, Options{})
	check(t, evs,
		`connect 2026-11-25T21:43:01.000Z pid=1 line=1 user="alice" db="appdb"`,
		`connect 2026-11-25T21:43:02.000Z line=2 user="bob" db="appdb"`,
		`connect 2026-11-25T21:43:03.000Z line=3 user="carol" db="appdb"`,
	)
}

// A role name with "@" (bob@contoso.com, common with Entra ID and LDAP)
// makes "%u@%d" ambiguous: the name the failure's message quotes decides
// the split. A split the prefix cannot make leaves the first one.
func TestPrefixSplitByQuotedName(t *testing.T) {
	in := "2026-11-25 21:41:16.700 UTC [100] bob@contoso.com@sales FATAL:  password authentication failed for user \"bob@contoso.com\"\n" +
		"2026-11-25 21:41:16.800 UTC [101] a@b@c@d FATAL:  database \"c@d\" does not exist\n" +
		"2026-11-25 21:41:16.900 UTC [102] eve@x@y FATAL:  too many connections for role \"eve@x\"\n" +
		"2026-11-25 21:41:17.000 UTC [103] bob@sales FATAL:  password authentication failed for user \"mallory\"\n"
	for _, opt := range []Options{{}, {Prefix: "%m [%p] %q%u@%d "}} {
		evs, _ := readAll(t, in, opt)
		check(t, evs,
			`failure 2026-11-25T21:41:16.700Z pid=100 line=1 user="bob@contoso.com" db="sales" reason="password authentication failed"`,
			`failure 2026-11-25T21:41:16.800Z pid=101 line=2 user="a@b" db="c@d" reason="database \"c@d\" does not exist" afterauth`,
			`failure 2026-11-25T21:41:16.900Z pid=102 line=3 user="eve@x" db="y" reason="too many connections for role \"eve@x\"" afterauth`,
			`failure 2026-11-25T21:41:17.000Z pid=103 line=4 user="bob" db="sales" reason="password authentication failed"`,
		)
	}
}
