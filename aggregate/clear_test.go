package aggregate

import (
	"testing"
	"time"

	"github.com/pgtail/pgtail/parse"
)

// clear resets the statistics and keeps the open sessions (issue 12).
func TestClearedKeepsOpenSessions(t *testing.T) {
	at := func(m int) time.Time { return time.Date(2026, 11, 24, 10, m, 0, 0, time.UTC) }
	s := New(Config{})
	for i, app := range []string{"rails", "rails", "psql", "sidekiq"} {
		s.Apply(&parse.Event{Kind: parse.Connect, Time: at(i), PID: 100 + i, DB: "prod", User: "app", App: app})
	}
	s.Apply(&parse.Event{Kind: parse.Disconnect, Time: at(5), PID: 103, DB: "prod", User: "app", Duration: 5 * time.Minute})
	s.Apply(&parse.Event{Kind: parse.Failure, Time: at(6), PID: 200, DB: "prod", User: "x", Reason: "too many connections"})
	s.Apply(&parse.Event{Kind: parse.Connect, Time: at(7), DB: "nopid", User: "u", App: "a"}) // a log without PIDs

	c := s.Cleared()
	sum := c.Summary(Filter{})
	if sum.Active != 4 || sum.Connects != 0 || sum.Disconnects != 0 || sum.Failures != 0 {
		t.Errorf("after clear: %+v; want 4 active and no totals", sum)
	}
	if len(sum.ByApp) != 3 || sum.ByApp[0] != (Row{"rails", 2}) {
		t.Errorf("ByApp = %v", sum.ByApp)
	}
	if p := c.Peak(); p.Active != 4 || !p.Time.Equal(at(7)) {
		t.Errorf("peak after clear = %+v, want 4 at the newest time stamp", p)
	}
	if d := c.Durations(Filter{}); d.All.Sessions != 0 {
		t.Errorf("session times kept: %+v", d.All)
	}
	if ft := c.FailureTable(Filter{}); len(ft) != 0 {
		t.Errorf("failure table kept: %v", ft)
	}
	if h := c.History(Filter{}, time.Hour, 15*time.Minute); h.Connects != 0 || h.Rows[len(h.Rows)-1].Active != 4 {
		t.Errorf("history after clear: %+v", h)
	}

	// The kept sessions end as any other: their disconnection counts.
	c.Apply(&parse.Event{Kind: parse.Disconnect, Time: at(10), PID: 100, DB: "prod", User: "app", Duration: 10 * time.Minute})
	// A refusal after authorization on a kept session ends it; its
	// connect, before the clear, is not withdrawn from the new totals.
	c.Apply(&parse.Event{Kind: parse.Failure, Time: at(11), PID: 101, DB: "prod", User: "app", Reason: "too many connections for role \"app\"", AfterAuth: true})
	c.Apply(&parse.Event{Kind: parse.Failure, Time: at(11), DB: "nopid", User: "u", Reason: "too many connections for role \"u\"", AfterAuth: true})
	sum = c.Summary(Filter{})
	if sum.Active != 1 || sum.Connects != 0 || sum.Disconnects != 1 || sum.Failures != 2 {
		t.Errorf("after the kept sessions end: %+v", sum)
	}
	if p := c.Peak(); p.Active != 4 {
		t.Errorf("peak = %+v, want 4", p)
	}
	h := c.History(Filter{}, time.Hour, 15*time.Minute)
	for _, r := range h.Rows {
		if r.Active < 0 || r.Active > 4 {
			t.Errorf("history row %+v", r)
		}
	}
	if last := h.Rows[len(h.Rows)-1].Active; last != 1 {
		t.Errorf("last history row %d, want 1", last)
	}
}
