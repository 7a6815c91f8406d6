package parse

import (
	"bytes"
	"testing"
)

// splitCSVStrings is the reference splitter: a string per field, built
// byte by byte.
func splitCSVStrings(raw []byte) ([]string, bool) {
	var out []string
	for {
		if len(raw) > 0 && raw[0] == '"' {
			var b []byte
			i := 1
			for {
				j := bytes.IndexByte(raw[i:], '"')
				if j < 0 {
					return out, false
				}
				b = append(b, raw[i:i+j]...)
				i += j + 1
				if i < len(raw) && raw[i] == '"' {
					b = append(b, '"')
					i++
					continue
				}
				break
			}
			out = append(out, string(b))
			raw = raw[i:]
			if len(raw) == 0 {
				return out, true
			}
			if raw[0] != ',' {
				return out, false
			}
			raw = raw[1:]
			continue
		}
		k := bytes.IndexByte(raw, ',')
		if k < 0 {
			return append(out, string(raw)), true
		}
		out = append(out, string(raw[:k]))
		raw = raw[k+1:]
	}
}

// FuzzSplitCSV: the fields, as views of the record or undoubled into the
// reused buffer, are those of the reference splitter, also when the
// buffers are reused from a record before.
func FuzzSplitCSV(f *testing.F) {
	for _, s := range []string{`a,"b""c",,"d"`, `"""",""""""`, `"x`, `"a"b`, `,`, ``, `"a""",b,"c""d""e"`} {
		f.Add(s, `"q""q",z`)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		var fields [][]byte
		var unq []byte
		for _, s := range []string{b, a} {
			var ok bool
			fields, unq, ok = splitCSV([]byte(s), fields[:0], unq)
			want, wantOK := splitCSVStrings([]byte(s))
			if ok != wantOK || len(fields) != len(want) {
				t.Fatalf("%q: %q %v, want %q %v", s, fields, ok, want, wantOK)
			}
			for i := range want {
				if string(fields[i]) != want[i] {
					t.Fatalf("%q: field %d %q, want %q", s, i, fields[i], want[i])
				}
			}
		}
	})
}

func TestCSVLogIndex(t *testing.T) {
	for _, raw := range []string{
		`2026-11-30 20:56:19.736 UTC,,,1,,x,1,,y,,0,LOG,00000,"m",,`,
		`LOG,00000,"`, `,LOG,00000,"`, `xLOG,00000,",LOG,00000,"`, `LOG,00000,",LOG,00000,"`,
		`a,b,LOG,0000,"`, ``, `,`, `xLOG,00000,"`,
	} {
		if got, want := csvLogIndex([]byte(raw)), bytes.Index([]byte(raw), csvLogMark); got != want {
			t.Errorf("%s: %d, want %d", raw, got, want)
		}
	}
}
