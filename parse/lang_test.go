package parse

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
)

// TestRealTranslatedLogs reads the logs of scripts/e2e-lang.sh's German and
// Russian servers (lc_messages; Russian translates LOG, FATAL and DETAIL
// too): the workload of e2e-real.sh plus five more refusals, then every
// session closed and the server stopped. The counts are what the script
// did: 42 sessions plus 7 authorized and then refused (49 connect events),
// 38 disconnection lines (the 4 others ended in the crash), 13 refusals
// (with the DETAIL of the two password failures, read back in English);
// 2 starts, a fast restart and a stop, and the crash's four lines.
func TestRealTranslatedLogs(t *testing.T) {
	want := strings.Join([]string{
		"connect 49", "disconnect 38", "failure 13", "received 55",
		"reset crash 4", "reset restart 2", "reset shutdown 2",
		`failure database "closed" is not currently accepting connections`,
		`failure database "nosuchdb" does not exist`,
		"failure no pg_hba.conf entry",
		"failure password authentication failed: Connection matched pg_hba.conf line 4: \"local   all       all       scram-sha-256\"",
		"failure password authentication failed: Role \"ghost\" does not exist.",
		`failure permission denied for database "private"`,
		"failure pg_hba.conf rejects connection",
		"failure reserved connection slots",
		`failure role "nologin_role" is not permitted to log in`,
		"failure too many connections",
		"failure too many connections",
		`failure too many connections for database "limited"`,
		`failure too many connections for role "batch"`,
	}, "\n")
	for _, lang := range []string{"de", "ru"} {
		f, err := os.Open("../testdata/logs/pg15-lang-" + lang + ".log")
		if err != nil {
			t.Fatal(err)
		}
		r := NewReader(f, Options{})
		count := map[string]int{}
		var lines []string
		for {
			ev, err := r.Read()
			if err != nil {
				break
			}
			k := ev.Kind.String()
			if ev.Kind == Reset {
				k += " " + ev.Reason
			}
			count[k]++
			if ev.Kind == Failure {
				l := "failure " + ev.Reason
				if ev.Detail != "" {
					l += ": " + ev.Detail
				}
				lines = append(lines, l)
			}
		}
		f.Close()
		for k, n := range count {
			lines = append(lines, fmt.Sprintf("%s %d", k, n))
		}
		sort.Strings(lines)
		w := strings.Split(want, "\n")
		sort.Strings(w)
		if got := strings.Join(lines, "\n"); got != strings.Join(w, "\n") {
			t.Errorf("%s:\n%s\nwant\n%s", lang, got, strings.Join(w, "\n"))
		}
	}
}
