package aggregate

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/pgtail/pgtail/parse"
)

var t0 = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

func at(sec float64) time.Time { return t0.Add(time.Duration(sec * float64(time.Second))) }

func conn(pid int, sec float64) parse.Event {
	return parse.Event{Kind: parse.Connect, PID: pid, Time: at(sec), User: "u", DB: "d", App: "a"}
}

func disc(pid int, sec float64, dur time.Duration) parse.Event {
	return parse.Event{Kind: parse.Disconnect, PID: pid, Time: at(sec), User: "u", DB: "d", Duration: dur}
}

func apply(evs ...parse.Event) *State {
	st := New(Config{})
	for _, ev := range evs {
		st.Apply(new(ev))
	}
	return st
}

func TestPeakState(t *testing.T) {
	for _, tc := range []struct {
		name   string
		evs    []parse.Event
		active int
		want   int
		when   time.Time
	}{
		{
			name: "pre-log sessions raise the whole curve",
			// Two sessions open before the log; they disconnect late.
			evs: []parse.Event{
				conn(1, 10), conn(2, 20), conn(3, 30), // 3 known at 30 s
				disc(1, 40, 40*time.Second),
				disc(90, 50, time.Hour), disc(91, 60, time.Hour), // pre-log
			},
			active: 2, want: 5, when: at(30),
		},
		{
			name: "a pre-log session that ended early does not reach the later peak",
			evs: []parse.Event{
				conn(1, 10),
				disc(90, 15, time.Hour), // open from before the log until 15 s
				conn(2, 20), conn(3, 30),
			},
			active: 3, want: 3, when: at(30),
		},
		{
			name: "a crash in the middle ends every session",
			evs: []parse.Event{
				conn(1, 10), conn(2, 11), conn(3, 12), conn(4, 13),
				{Kind: parse.Reset, Time: at(20), Reason: "crash"},
				conn(5, 30), conn(6, 31),
				// pre-log looking session ending after the crash: it cannot
				// have outlived the crash, so it counts from the crash on.
				disc(99, 40, time.Hour),
			},
			active: 2, want: 4, when: at(13),
		},
		{
			name: "after a crash a session cannot span it",
			evs: []parse.Event{
				conn(1, 10), conn(2, 11),
				{Kind: parse.Reset, Time: at(20), Reason: "crash"},
				conn(5, 30), conn(6, 31),
				disc(99, 40, time.Hour), disc(98, 41, time.Hour),
			},
			active: 2, want: 4, when: at(31),
		},
		{
			name: "identical time stamps apply in log order",
			evs: []parse.Event{
				conn(1, 10), conn(2, 10), disc(1, 10, 0), conn(3, 10), disc(2, 10, 0),
			},
			active: 1, want: 2, when: at(10),
		},
		{
			name: "a session starting in the same millisecond as a disconnect overlaps it",
			evs: []parse.Event{
				conn(1, 10), conn(2, 11), disc(1, 12, 2*time.Second),
				disc(90, 13, time.Second), // open from 12.000 to 13.000
			},
			active: 1, want: 3, when: at(12),
		},
		{
			name: "refused after connection authorized: never open",
			evs: []parse.Event{
				conn(1, 10), conn(2, 11),
				conn(3, 12),
				{Kind: parse.Failure, PID: 3, Time: at(12), AfterAuth: true, Reason: "too many connections for role \"u\""},
				disc(2, 13, 2*time.Second),
			},
			active: 1, want: 2, when: at(11),
		},
		{
			name: "no time stamps: the peak has no time",
			evs: []parse.Event{
				{Kind: parse.Connect, PID: 1}, {Kind: parse.Connect, PID: 2},
				{Kind: parse.Disconnect, PID: 9, Duration: time.Hour},
			},
			active: 2, want: 3,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := apply(tc.evs...)
			if got := st.Summary(Filter{}).Active; got != tc.active {
				t.Errorf("Active = %d, want %d", got, tc.active)
			}
			p := st.Peak()
			if p.Active != tc.want || !p.Time.Equal(tc.when) || p.Approx != 0 {
				t.Errorf("Peak = %d at %v (approx %d), want %d at %v", p.Active, p.Time, p.Approx, tc.want, tc.when)
			}
		})
	}
}

func TestFailureTable(t *testing.T) {
	st := apply(
		parse.Event{Kind: parse.Received, PID: 5, Host: "10.0.0.9"},
		parse.Event{Kind: parse.Failure, PID: 5, Time: at(1), User: "bob", DB: "prod", Reason: "password authentication failed", Category: "authentication_failed", Detail: `Password does not match for user "bob".`, Cause: "wrong password"},
		parse.Event{Kind: parse.Failure, PID: 6, Time: at(2), User: "bob", DB: "prod", Reason: "password authentication failed", Category: "authentication_failed", Detail: `Password does not match for user "bob".`, Cause: "wrong password", Host: "10.0.0.9"},
		parse.Event{Kind: parse.Failure, PID: 7, Time: at(3), User: "ghost", DB: "prod", Reason: "password authentication failed", Category: "authentication_failed", Detail: `Role "ghost" does not exist.`, Cause: "unknown role"},
		parse.Event{Kind: parse.Failure, PID: 8, Time: at(4), User: "x", DB: "y", Reason: "too many connections", Category: parse.TooManyConnections},
		conn(1, 5),
		parse.Event{Kind: parse.Reset, Time: at(6), Reason: "crash"},
	)
	rows := st.FailureTable(Filter{})
	type r struct {
		cat, cause, user, host string
		n                      int
		first, last            time.Time
		lost                   bool
	}
	var got []r
	for _, x := range rows {
		got = append(got, r{x.Category, x.Cause, x.User, x.Host, x.Count, x.First, x.Last, x.Lost})
	}
	want := []r{
		{"authentication_failed", "wrong password", "bob", "10.0.0.9", 2, at(1), at(2), false},
		{"authentication_failed", "unknown role", "ghost", "", 1, at(3), at(3), false},
		{"lost_in_crash", "", "u", "", 1, at(6), at(6), true},
		{"too_many_connections", "", "x", "", 1, at(4), at(4), false},
	}
	if !slices.Equal(got, want) {
		t.Errorf("FailureTable:\n got %+v\nwant %+v", got, want)
	}
	if sat := st.Saturation(); sat.Count != 1 || !sat.First.Equal(at(4)) {
		t.Errorf("Saturation = %+v", sat)
	}
	if s := st.Summary(Filter{}); s.Failures != 4 {
		t.Errorf("Summary.Failures = %d, want 4 (lost sessions are not failures)", s.Failures)
	}
}

func TestSketchQuantiles(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for iter := 0; iter < 200; iter++ {
		n := 1 + r.IntN(3000)
		var k sketch
		vals := make([]int64, n)
		for i := range vals {
			switch r.IntN(3) {
			case 0:
				vals[i] = r.Int64N(1000) // pooler-like
			case 1:
				vals[i] = r.Int64N(3_600_000)
			default:
				vals[i] = int64(math.Exp(r.Float64() * 25)) // up to ~2 days
			}
			k.Add(time.Duration(vals[i]) * time.Millisecond)
		}
		slices.Sort(vals)
		for _, q := range []float64{0, 0.01, 0.5, 0.9, 0.95, 0.99, 1} {
			rank := max(int(math.Ceil(q*float64(n))), 1)
			want := vals[rank-1]
			got := k.Quantile(q).Milliseconds()
			if math.Abs(float64(got-want)) > RelErr*float64(want) {
				t.Fatalf("n=%d q=%v: got %d ms, want %d ms (±%.1f%%)", n, q, got, want, RelErr*100)
			}
		}
		under := 0
		for _, v := range vals {
			if v < 1000 {
				under++
			}
		}
		if k.Under1s != int64(under) || k.Min != vals[0] || k.Max != vals[n-1] {
			t.Fatalf("under1s/min/max = %d/%d/%d, want %d/%d/%d", k.Under1s, k.Min, k.Max, under, vals[0], vals[n-1])
		}
		if len(k.Counts) > 2000 {
			t.Fatalf("%d buckets", len(k.Counts))
		}
	}
}

func TestDurationsByApp(t *testing.T) {
	st := apply(
		conn(1, 1), parse.Event{Kind: parse.Connect, PID: 2, Time: at(1), User: "u", DB: "d", App: "psql"},
		disc(1, 2, 300*time.Millisecond), disc(2, 3, 2*time.Second),
		disc(9, 4, 1500*time.Millisecond), // pre-log, no app: unknown
	)
	d := st.Durations(Filter{})
	if d.All.Sessions != 3 || d.All.Under1s != 1 || d.All.Min != 300*time.Millisecond || d.All.Max != 2*time.Second ||
		math.Abs(float64(d.All.Median-1500*time.Millisecond)) > RelErr*float64(1500*time.Millisecond) {
		t.Errorf("All = %+v", d.All)
	}
	var names []string
	for _, a := range d.ByApp {
		names = append(names, a.Name)
	}
	if !slices.Equal(names, []string{"a", "psql", "unknown"}) {
		t.Errorf("ByApp names = %v", names)
	}
	if f := st.Durations(Filter{App: "psql"}); f.All.Sessions != 1 || f.All.Max != 2*time.Second {
		t.Errorf("filtered = %+v", f.All)
	}
}

// The recorded session keeps the peak, the failure table and the
// session times.
func TestSnapshotKeepsInsights(t *testing.T) {
	st := apply(
		conn(1, 1), conn(2, 2), disc(1, 3, 2*time.Second), disc(90, 4, time.Hour),
		parse.Event{Kind: parse.Failure, PID: 5, Time: at(5), User: "bob", DB: "d", Reason: "password authentication failed", Category: "authentication_failed", Detail: `Password does not match for user "bob".`, Cause: "wrong password"},
	)
	b, err := st.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var back State
	if err := back.UnmarshalJSON(b); err != nil {
		t.Fatal(err)
	}
	if got, want := back.Peak(), st.Peak(); got != want {
		t.Errorf("Peak = %+v, want %+v", got, want)
	}
	if got, want := back.Durations(Filter{}).All, st.Durations(Filter{}).All; got != want {
		t.Errorf("Durations = %+v, want %+v", got, want)
	}
	if got, want := back.FailureTable(Filter{}), st.FailureTable(Filter{}); !slices.Equal(got, want) {
		t.Errorf("FailureTable = %+v, want %+v", got, want)
	}
	// It goes on counting where it stopped.
	back.Apply(new(conn(3, 6)))
	back.Apply(new(conn(4, 7)))
	back.Apply(new(conn(5, 8)))
	if p := back.Peak(); p.Active != 4 || !p.Time.Equal(at(8)) {
		t.Errorf("Peak after more events = %+v", p)
	}
}

// A state recorded before failures carried their category gets it back
// from the reason, as the table showed it then.
func TestSnapshotWithoutCategory(t *testing.T) {
	const old = `{"resolution":60000000000,"retention":86400000000000,"names":[],"tally":[],"sessions":[],"failures":[],"slots":[],"has_time":false,"no_pid":false,"events":3,"reset_ended":0,"replaced":0,` +
		`"fail_table":[{"key":{"Reason":"too many connections","Cause":"","User":"x","DB":"y","App":"unknown","Host":"","Lost":false},"stat":{"Count":2}},` +
		`{"key":{"Reason":"password authentication failed","Cause":"wrong password","User":"x","DB":"y","App":"unknown","Host":"","Lost":false},"stat":{"Count":1}},` +
		`{"key":{"Reason":"server crash","Cause":"","User":"x","DB":"y","App":"unknown","Host":"","Lost":true},"stat":{"Count":1}}]}`
	var st State
	if err := st.UnmarshalJSON([]byte(old)); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range st.FailureTable(Filter{}) {
		got = append(got, r.Category)
	}
	if want := []string{"too_many_connections", "authentication_failed", "lost_in_crash"}; !slices.Equal(got, want) {
		t.Errorf("categories = %q, want %q", got, want)
	}
	if sat := st.Saturation(); sat.Count != 2 {
		t.Errorf("Saturation = %+v, want 2", sat)
	}
}

// A record written when slots were keyed by the wall clock (before
// slots_by_instant) reads back onto instants: its history is the same,
// and so are the sessions a crash ended (none recorded then).
func TestSnapshotWallClockSlots(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	st := New(Config{})
	for i, m := range []int{5, 20, 50} {
		st.Apply(&parse.Event{Kind: parse.Connect, PID: i + 1, DB: "d", User: "u", Time: time.Date(2026, 11, 25, 10, m, 0, 0, cet)})
	}
	st.Apply(&parse.Event{Kind: parse.Reset, Reason: "crash", Time: time.Date(2026, 11, 25, 10, 55, 0, 0, cet)})
	b, err := st.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var sn map[string]any
	if err := json.Unmarshal(b, &sn); err != nil {
		t.Fatal(err)
	}
	if sn["slots_by_instant"] != true {
		t.Fatalf("slots_by_instant = %v, want true", sn["slots_by_instant"])
	}
	delete(sn, "slots_by_instant")
	delete(sn, "ended")
	for _, sl := range sn["slots"].([]any) {
		m := sl.(map[string]any)
		m["slot"] = m["slot"].(float64) + 60 // one hour of one-minute slots: CET's wall clock
	}
	old, _ := json.Marshal(sn)
	var back State
	if err := back.UnmarshalJSON(old); err != nil {
		t.Fatal(err)
	}
	got, want := back.History(Filter{}, time.Hour, 15*time.Minute), st.History(Filter{}, time.Hour, 15*time.Minute)
	same := got.Connects == want.Connects && len(got.Rows) == len(want.Rows)
	for i := 0; same && i < len(got.Rows); i++ {
		same = got.Rows[i].Start.Equal(want.Rows[i].Start) && got.Rows[i].Active == want.Rows[i].Active
	}
	if !same || want.Connects != 3 {
		t.Errorf("history of an old record:\n%+v\nwant\n%+v", got, want)
	}
	if got := back.Summary(Filter{}).Ended; len(got) != 0 {
		t.Errorf("Ended = %v, want none (not recorded then)", got)
	}
	if got := st.Summary(Filter{}).Ended; !reflect.DeepEqual(got, []Row{{"crash", 3}}) {
		t.Errorf("Ended = %v, want crash 3", got)
	}
}
