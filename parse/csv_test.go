package parse

import "testing"

// A record cut inside a quote (a crash mid-write, a truncated copy) costs
// that record only: the next line that starts like a record starts afresh.
func TestCSVCutRecordResyncs(t *testing.T) {
	in := `2026-11-25 21:41:16.713 CET,"alice","appdb",201,"[local]",6b0747ec.c9,2,"authentication",2026-11-25 21:41:16 CET,3/1,0,LOG,00000,"connection authorized: user=alice database=appdb",,,,,,,,,""
2026-11-25 21:41:17.000 CET,"bob","appdb",202,"[local]",6b0747ec.ca,2,"authentication",2026-11-25 21:41:17 CET,3/2,0,LOG,00000,"connection authorized: user=bob datab
2026-11-25 21:41:18.713 CET,"carol","appdb",203,"[local]",6b0747ec.cb,2,"authentication",2026-11-25 21:41:18 CET,3/3,0,LOG,00000,"connection authorized: user=carol database=appdb",,,,,,,,,""
2026-11-25 21:41:19.000 CET,"alice","appdb",201,"[local]",6b0747ec.c9,3,"idle",2026-11-25 21:41:16 CET,,0,LOG,00000,"disconnection: session time: 0:00:02.287 user=alice database=appdb host=[local]",,,,,,,,,""
`
	evs, st := readAll(t, in, Options{})
	var users []string
	for _, ev := range evs {
		users = append(users, ev.Kind.String()+":"+ev.User)
	}
	want := []string{"connect:alice", "connect:carol", "disconnect:alice"}
	if len(users) != len(want) {
		t.Fatalf("events %v, want %v", users, want)
	}
	for i := range want {
		if users[i] != want[i] {
			t.Fatalf("events %v, want %v", users, want)
		}
	}
	if evs[1].Line != 3 {
		t.Errorf("carol's connect on line %d, want 3", evs[1].Line)
	}
	if st.Skipped != 1 || st.Entries != 3 {
		t.Errorf("Entries/Skipped = %d/%d, want 3/1", st.Entries, st.Skipped)
	}
}
