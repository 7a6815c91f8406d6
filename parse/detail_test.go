package parse

import (
	"strings"
	"testing"
)

func TestFailureDetail(t *testing.T) {
	const log = `2026-11-24 10:06:00.010 UTC [206] bob@production FATAL:  password authentication failed for user "bob"
2026-11-24 10:06:00.010 UTC [206] bob@production DETAIL:  Password does not match for user "bob".
	Connection matched pg_hba.conf line 4: "host all all 0.0.0.0/0 scram-sha-256"
2026-11-24 10:06:01.000 UTC [207] ghost@production FATAL:  password authentication failed for user "ghost"
2026-11-24 10:06:01.000 UTC [207] ghost@production DETAIL:  Role "ghost" does not exist.
	Connection matched pg_hba.conf line 4: "host all all 0.0.0.0/0 scram-sha-256"
2026-11-24 10:06:02.000 UTC [208] x@y FATAL:  password authentication failed for user "x"
2026-11-24 10:06:02.000 UTC [209] a@b LOG:  connection authorized: user=a database=b
2026-11-24 10:06:03.000 UTC [210] c@d FATAL:  sorry, too many clients already
2026-11-24 10:06:03.000 UTC [210] c@d DETAIL:  not looked at
2026-11-24 10:06:04.000 UTC [211] e@f FATAL:  password authentication failed for user "e"
`
	r := NewReader(strings.NewReader(log), Options{})
	type got struct {
		kind   Kind
		pid    int
		line   int
		detail string
		cause  string
	}
	var all []got
	for ev, err := range r.All() {
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, got{ev.Kind, ev.PID, ev.Line, ev.Detail, ev.Cause})
	}
	want := []got{
		{Failure, 206, 1, `Password does not match for user "bob".`, "wrong password"},
		{Failure, 207, 4, `Role "ghost" does not exist.`, "unknown role"},
		{Failure, 208, 7, "", ""},
		{Connect, 209, 8, "", ""}, // the line read ahead is not lost
		{Failure, 210, 9, "", ""},
		{Failure, 211, 11, "", ""}, // at the end of input
	}
	if len(all) != len(want) {
		t.Fatalf("got %d events %v, want %v", len(all), all, want)
	}
	for i := range want {
		if all[i] != want[i] {
			t.Errorf("event %d = %+v, want %+v", i, all[i], want[i])
		}
	}
	if s := r.Stats(); s.Lines != 11 || s.Entries != 6 {
		t.Errorf("Stats = %+v, want 11 lines, 6 entries", s)
	}
}
