package parse

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
)

func TestInterner(t *testing.T) {
	var n interner
	a := n.str([]byte("app"))
	if a != "app" {
		t.Fatalf("str = %q", a)
	}
	if n := testing.AllocsPerRun(100, func() { n.str([]byte("app")) }); n != 0 {
		t.Errorf("%.0f allocations for an interned name, want 0", n)
	}
	// Bounded: many names keep at most internSlots strings, each still right.
	for i := range 5 * internSlots {
		s := strings.Repeat("x", i%7) + string(rune('a'+i%26)) + strings.Repeat("y", i%13)
		if got := n.str([]byte(s)); got != s {
			t.Fatalf("str(%q) = %q", s, got)
		}
	}
	long := bytes.Repeat([]byte("z"), maxInternLen+1)
	if got := n.str(long); got != string(long) {
		t.Errorf("long value changed")
	}
	var none *interner
	if got := none.str([]byte("db")); got != "db" {
		t.Errorf("nil interner: %q", got)
	}
}

func TestLastIndex(t *testing.T) {
	for _, b := range []string{"", "port=", " port=", "a port=1 port=2", "host=x port", "x port=", " port= port=", "ort=", "  port=port="} {
		for _, sep := range []string{" port=", " host=", " SSL enabled (protocol=", "="} {
			if got, want := lastIndex([]byte(b), []byte(sep)), bytes.LastIndex([]byte(b), []byte(sep)); got != want {
				t.Errorf("lastIndex(%q, %q) = %d, want %d", b, sep, got, want)
			}
		}
	}
}

// TestPortNames: client ports, a new one on every connection of a TCP
// storm, are strings made once each, whatever the interner's slots hold;
// a port written otherwise than PostgreSQL does keeps its text.
func TestPortNames(t *testing.T) {
	var n interner
	ports := make([][]byte, 10000) // more than the interner's slots
	for i := range ports {
		ports[i] = []byte(strconv.Itoa(40000 + i))
	}
	for _, p := range ports {
		if got := n.port(p); got != string(p) {
			t.Fatalf("port(%s) = %q", p, got)
		}
	}
	if a := testing.AllocsPerRun(3, func() {
		for _, p := range ports {
			n.port(p)
		}
	}); a != 0 {
		t.Errorf("%.0f allocations for 10000 ports read before, want 0", a)
	}
	for _, s := range []string{"0", "5432", "65535", "05432", "65536", "123456", "54x", "", "-1"} {
		if got := n.port([]byte(s)); got != s {
			t.Errorf("port(%q) = %q", s, got)
		}
	}
}
