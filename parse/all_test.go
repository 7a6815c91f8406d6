package parse_test

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/pgtail/pgtail/parse"
)

// All yields the events, then stops: after the first error other than
// io.EOF (which it yields), or at the end (io.EOF is not yielded).
func TestAll(t *testing.T) {
	conn := up + "LOG:  connection authorized: user=alice database=appdb\n"
	boom := errors.New("boom")
	for _, tc := range []struct {
		name string
		in   io.Reader
		want []string // event kinds and errors, in order
	}{
		{"end", strings.NewReader(conn + conn), []string{"connect", "connect"}},
		{"empty", strings.NewReader(""), nil},
		{"error", io.MultiReader(strings.NewReader(conn), iotest.ErrReader(boom)), []string{"connect", "error boom"}},
		{"unknown format", strings.NewReader(conn), []string{"error unknown log format 99"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opt := parse.Options{}
			if tc.name == "unknown format" {
				opt.Format = 99
			}
			var got []string
			for ev, err := range parse.NewReader(tc.in, opt).All() {
				if err != nil {
					got = append(got, "error "+err.Error())
					continue // All must stop by itself
				}
				got = append(got, ev.Kind.String())
			}
			if strings.Join(got, ", ") != strings.Join(tc.want, ", ") {
				t.Errorf("All yields %q, want %q", got, tc.want)
			}
		})
	}
	// Breaking out of the loop leaves the Reader usable.
	r := parse.NewReader(strings.NewReader(conn+conn), parse.Options{})
	for range r.All() {
		break
	}
	if ev, err := r.Read(); err != nil || ev.Kind != parse.Connect {
		t.Errorf("Read after break = %v, %v; want the second connect", ev.Kind, err)
	}
}
