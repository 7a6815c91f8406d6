package aggregate

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/pgtail/pgtail/parse"
)

// A flood of names chosen by clients costs bounded memory (issue 12):
// what fits is exact, the rest is counted under Other.

var floodT0 = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

func floodApps(s *State, n int, open bool) {
	for i := range n {
		t := floodT0.Add(time.Duration(i) * 86400 * time.Second / time.Duration(n))
		pid := 1000 + i
		s.Apply(&parse.Event{Kind: parse.Connect, Time: t, PID: pid, DB: "production", User: "app", App: fmt.Sprintf("job-%d", i)})
		if !open {
			s.Apply(&parse.Event{Kind: parse.Disconnect, Time: t, PID: pid, DB: "production", User: "app", Duration: time.Duration(i%5000) * time.Millisecond})
		}
	}
}

func TestNameFloodBounded(t *testing.T) {
	s := New(Config{})
	const n = 3 * maxValues
	floodApps(s, n, true)
	if len(s.names) > maxNames+1 || len(s.values[2]) > maxValues {
		t.Fatalf("%d names, %d applications kept: not bounded", len(s.names), len(s.values[2]))
	}
	sum := s.Summary(Filter{})
	if sum.Active != n || sum.Connects != n {
		t.Errorf("Active %d, Connects %d, want %d", sum.Active, sum.Connects, n)
	}
	// The database and user did not overflow: they stay exact.
	if len(sum.ByDB) != 1 || sum.ByDB[0] != (Row{"production", n}) {
		t.Errorf("ByDB = %v", sum.ByDB)
	}
	// Each application that fits is exact; the rest is one Other row, last.
	last := sum.ByApp[len(sum.ByApp)-1]
	if len(sum.ByApp) != maxValues+1 || last != (Row{Other, n - maxValues}) {
		t.Errorf("%d application rows, last %v; want %d and {%s %d}", len(sum.ByApp), last, maxValues+1, Other, n-maxValues)
	}
	if got := s.Summary(Filter{App: "job-7"}).Active; got != 1 {
		t.Errorf("job-7 (fits) Active = %d, want 1", got)
	}
	if got := s.Summary(Filter{App: Other}).Active; got != n-maxValues {
		t.Errorf("Other Active = %d, want %d", got, n-maxValues)
	}
	// Closing them all leaves nothing open, whatever was folded.
	for i := range n {
		s.Apply(&parse.Event{Kind: parse.Disconnect, Time: floodT0.Add(25 * time.Hour), PID: 1000 + i, DB: "production", User: "app"})
	}
	if sum := s.Summary(Filter{}); sum.Active != 0 || sum.Disconnects != n {
		t.Errorf("after closing: Active %d, Disconnects %d", sum.Active, sum.Disconnects)
	}
	if d := s.Durations(Filter{}); d.All.Sessions != n || len(d.ByApp) != maxValues+1 {
		t.Errorf("durations: %d sessions, %d applications", d.All.Sessions, len(d.ByApp))
	}
}

func TestNameFloodAllDimensions(t *testing.T) {
	s := New(Config{})
	const n = 4 * maxNames
	for i := range n {
		// Few distinct values per dimension, many combinations.
		s.Apply(&parse.Event{Kind: parse.Connect, Time: floodT0, PID: 1000 + i,
			DB: fmt.Sprintf("d%d", i%64), User: fmt.Sprintf("u%d", i/64%64), App: fmt.Sprintf("a%d", i/4096)})
	}
	if len(s.names) > maxNames+1 {
		t.Fatalf("%d names kept, cap %d", len(s.names), maxNames)
	}
	sum := s.Summary(Filter{})
	if sum.Active != n {
		t.Errorf("Active = %d, want %d", sum.Active, n)
	}
	other := s.Summary(Filter{DB: Other, User: Other, App: Other}).Active
	if other != n-maxNames {
		t.Errorf("(other, other, other) Active = %d, want %d", other, n-maxNames)
	}
}

func TestFailureFloodBounded(t *testing.T) {
	s := New(Config{})
	const n = 50000
	for i := range n {
		db := fmt.Sprintf("db%d", i)
		s.Apply(&parse.Event{Kind: parse.Failure, Time: floodT0.Add(time.Duration(i) * time.Second), PID: 1000 + i,
			DB: db, User: fmt.Sprintf("user%d", i), Host: fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255),
			Reason: `database "` + db + `" does not exist`})
	}
	if len(s.failures) > maxFailNames+1 || len(s.failTable) > maxFailKeys+maxFoldedReasons+1 || len(s.names) > maxNames+1 {
		t.Fatalf("failures %d, failure table %d, names %d: not bounded", len(s.failures), len(s.failTable), len(s.names))
	}
	sum := s.Summary(Filter{})
	if sum.Failures != n {
		t.Errorf("Failures = %d, want %d", sum.Failures, n)
	}
	total := 0
	for _, r := range s.FailureTable(Filter{}) {
		total += r.Count
	}
	if total != n {
		t.Errorf("failure table counts %d, want %d", total, n)
	}
	var other int
	for _, r := range sum.FailuresByReason {
		if r.Name == Other {
			other = r.Count
		}
	}
	if other != n-maxFailNames {
		t.Errorf("FailuresByReason %s = %d, want %d", Other, other, n-maxFailNames)
	}
}

func TestTimelineCellsBounded(t *testing.T) {
	s := New(Config{Resolution: time.Second, Retention: 24 * time.Hour})
	// Every second a connect of each of 100 names: 8.6M cells uncapped.
	for sec := range 3 * 3600 {
		for k := range 100 {
			s.Apply(&parse.Event{Kind: parse.Connect, Time: floodT0.Add(time.Duration(sec) * time.Second), PID: 1 + k, DB: "d", User: "u", App: fmt.Sprintf("a%d", k)})
		}
	}
	if s.cells > maxSlotCells+len(s.slots) {
		t.Fatalf("%d timeline cells, cap %d", s.cells, maxSlotCells)
	}
	n := 0
	for _, m := range s.slots {
		n += len(m)
	}
	if n != s.cells {
		t.Errorf("cells = %d, counted %d", s.cells, n)
	}
	// The timeline still adds up: the connects of the last hour.
	h := s.History(Filter{}, time.Hour, 15*time.Minute)
	if h.Connects != 3600*100 {
		t.Errorf("history connects = %d, want %d", h.Connects, 3600*100)
	}
}

func TestFloodRecordBounded(t *testing.T) {
	s := New(Config{})
	floodApps(s, 20000, false)
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 4<<20 {
		t.Errorf("record of 20000 names is %d bytes", len(b))
	}
	r := New(Config{})
	if err := json.Unmarshal(b, r); err != nil {
		t.Fatal(err)
	}
	// Read back, the caps still hold: a new name is folded, an old one is not.
	r.Apply(&parse.Event{Kind: parse.Connect, Time: floodT0.Add(25 * time.Hour), PID: 1, DB: "production", User: "app", App: "brand-new"})
	r.Apply(&parse.Event{Kind: parse.Connect, Time: floodT0.Add(25 * time.Hour), PID: 2, DB: "production", User: "app", App: "job-3"})
	if len(r.values[2]) > maxValues+1 { // Other is one of them
		t.Errorf("%d applications after reading back", len(r.values[2]))
	}
	if got := r.Summary(Filter{App: "job-3"}).Active; got != 1 {
		t.Errorf("job-3 Active = %d, want 1", got)
	}
	if got := r.Summary(Filter{App: "brand-new"}).Active; got != 0 {
		t.Errorf("brand-new was not folded into %s", Other)
	}
}

// A Snapshot shares nothing with the state: it is encoded while Apply
// goes on (the recorder encodes outside the lock; -race checks it).
func TestSnapshotIsACopy(t *testing.T) {
	s := New(Config{})
	floodApps(s, 2000, false)
	s.Apply(&parse.Event{Kind: parse.Connect, Time: floodT0.Add(time.Hour), PID: 7, DB: "d", User: "u", App: "a"})
	want, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	sn := s.Snapshot()
	done := make(chan []byte)
	go func() {
		b, err := json.Marshal(sn)
		if err != nil {
			t.Error(err)
		}
		done <- b
	}()
	for i := range 3000 { // every table changes meanwhile
		tm := floodT0.Add(time.Hour + time.Duration(i)*time.Second)
		s.Apply(&parse.Event{Kind: parse.Connect, Time: tm, PID: 10000 + i, DB: "d", User: "u", App: "a"})
		s.Apply(&parse.Event{Kind: parse.Disconnect, Time: tm, PID: 10000 + i, DB: "d", User: "u", Duration: time.Duration(i) * time.Millisecond})
		s.Apply(&parse.Event{Kind: parse.Failure, Time: tm, PID: 20000 + i, DB: "d", User: fmt.Sprint(i), Reason: "password authentication failed"})
	}
	s.Apply(&parse.Event{Kind: parse.Disconnect, Time: floodT0.Add(3 * time.Hour), PID: 7, DB: "d", User: "u", Duration: time.Hour})
	got := <-done
	// Map order differs from one encoding to the next: compare the views.
	views := func(b []byte) string {
		r := New(Config{})
		if err := json.Unmarshal(b, r); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%+v\n%+v\n%+v\n%+v\n%+v", r.Summary(Filter{}), r.History(Filter{}, 24*time.Hour, time.Hour),
			r.Durations(Filter{}), r.FailureTable(Filter{}), r.Peak())
	}
	if views(got) != views(want) {
		t.Errorf("the snapshot changed after it was taken")
	}
	if views(got) == views(must(json.Marshal(s))) {
		t.Errorf("the test changed nothing")
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
