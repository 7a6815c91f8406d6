package aggregate

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pgtail/pgtail/parse"
)

func TestCounts(t *testing.T) {
	s := New(Config{})
	at := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	for _, ev := range []parse.Event{
		{Kind: parse.Connect, PID: 1, DB: "prod", User: "app", App: "rails"},
		{Kind: parse.Connect, PID: 2, DB: "prod", User: "app", App: "rails"},
		{Kind: parse.Connect, PID: 3, DB: "test", User: "admin"},
		{Kind: parse.Disconnect, PID: 3, DB: "test", User: "admin", Duration: 1500 * time.Millisecond},
		{Kind: parse.Failure, PID: 4, DB: "prod", User: "bob", Reason: "password authentication failed"},
		{Kind: parse.Reset, Reason: "crash", Time: at},
		{Kind: parse.Reset, Reason: "crash", Time: at},
		{Kind: parse.Connect, PID: 5, DB: "prod", User: "app", App: "rails"},
		{Kind: parse.Reset, Reason: "restart", Time: at},
	} {
		s.Apply(new(ev))
	}
	want := []NameCounts{
		{Names{"prod", "app", "rails"}, 0, 3, 0},
		{Names{"test", "admin", Unknown}, 0, 1, 1},
	}
	if diff := cmp.Diff(want, s.ByName(Filter{})); diff != "" {
		t.Errorf("ByName (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]NameCounts{{Names{"test", "admin", Unknown}, 0, 1, 1}}, s.ByName(Filter{DB: "test"})); diff != "" {
		t.Errorf("ByName(db=test) (-want +got):\n%s", diff)
	}
	wantResets := map[string]int{"crash": 2, "restart": 1}
	if diff := cmp.Diff(wantResets, s.Resets()); diff != "" {
		t.Errorf("Resets (-want +got):\n%s", diff)
	}
	n, sum, upto := s.SessionTimes(Filter{})
	if n != 1 || sum != 1500*time.Millisecond || upto[4] != 0 || upto[5] != 1 || upto[len(upto)-1] != 1 {
		t.Errorf("SessionTimes = %d, %v, %v", n, sum, upto)
	}
	// A recorded state keeps them.
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var r State
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantResets, r.Resets()); diff != "" {
		t.Errorf("Resets after a record round trip (-want +got):\n%s", diff)
	}
	if n2, _, upto2 := r.SessionTimes(Filter{}); n2 != n || !cmp.Equal(upto, upto2) {
		t.Errorf("SessionTimes after a record round trip = %d, %v", n2, upto2)
	}
}
