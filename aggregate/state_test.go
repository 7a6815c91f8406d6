package aggregate_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/pgtail/pgtail/aggregate"
	"github.com/pgtail/pgtail/parse"
)

// tm returns a time on the test day in UTC: tm("10:52:10").
func tm(clock string) time.Time {
	return tmIn(clock, time.UTC)
}

func tmIn(clock string, loc *time.Location) time.Time {
	layout := "2006-01-02 15:04:05"
	if len(clock) == len("15:04") {
		clock += ":00"
	}
	t, err := time.ParseInLocation(layout, "2026-11-25 "+clock, loc)
	if err != nil {
		panic(err)
	}
	return t
}

// Event constructors keep the sequences below readable.
func connect(pid int, db, user, app string) parse.Event {
	return parse.Event{Kind: parse.Connect, PID: pid, DB: db, User: user, App: app}
}

func disconnect(pid int, db, user string) parse.Event {
	return parse.Event{Kind: parse.Disconnect, PID: pid, DB: db, User: user}
}

func received(pid int, host, port string) parse.Event {
	return parse.Event{Kind: parse.Received, PID: pid, Host: host, Port: port}
}

func failure(pid int, db, user, reason string, afterAuth bool) parse.Event {
	return parse.Event{Kind: parse.Failure, PID: pid, DB: db, User: user, Reason: reason, AfterAuth: afterAuth}
}

func reset(reason string) parse.Event {
	return parse.Event{Kind: parse.Reset, Reason: reason}
}

func at(t time.Time, ev parse.Event) parse.Event {
	ev.Time = t
	return ev
}

func apply(st *aggregate.State, evs ...parse.Event) []aggregate.Outcome {
	out := make([]aggregate.Outcome, len(evs))
	for i, ev := range evs {
		out[i] = st.Apply(new(ev))
	}
	return out
}

var equateEmpty = cmpopts.EquateEmpty()

func checkSummary(t *testing.T, st *aggregate.State, f aggregate.Filter, want aggregate.Summary) {
	t.Helper()
	if diff := cmp.Diff(want, st.Summary(f), equateEmpty); diff != "" {
		t.Errorf("Summary(%+v) mismatch (-want +got):\n%s", f, diff)
	}
}

func rows(kv ...any) []aggregate.Row {
	var out []aggregate.Row
	for i := 0; i < len(kv); i += 2 {
		out = append(out, aggregate.Row{Name: kv[i].(string), Count: kv[i+1].(int)})
	}
	return out
}

func TestOpenClose(t *testing.T) {
	st := aggregate.New(aggregate.Config{})
	checkSummary(t, st, aggregate.Filter{}, aggregate.Summary{})

	out := apply(st,
		received(7, "10.0.0.5", "54321"),
		connect(7, "prod", "alice", "psql"),
		connect(8, "prod", "bob", ""),
		disconnect(7, "prod", "alice"),
	)
	checkSummary(t, st, aggregate.Filter{}, aggregate.Summary{
		Active: 1,
		ByDB:   rows("prod", 1), ByUser: rows("bob", 1), ByApp: rows("unknown", 1),
		Connects: 2, Disconnects: 1, Events: 3,
	})

	// Outcomes carry what the session knew: the host of "connection
	// received", the application of the connect line.
	wantOut := []aggregate.Outcome{
		{Event: new(received(7, "10.0.0.5", "54321"))},
		{Event: &parse.Event{Kind: parse.Connect, PID: 7, DB: "prod", User: "alice", App: "psql", Host: "10.0.0.5", Port: "54321"}},
		{Event: &parse.Event{Kind: parse.Connect, PID: 8, DB: "prod", User: "bob", App: "unknown"}},
		{Event: &parse.Event{Kind: parse.Disconnect, PID: 7, DB: "prod", User: "alice", App: "psql", Host: "10.0.0.5"}},
	}
	if diff := cmp.Diff(wantOut, out); diff != "" {
		t.Errorf("outcomes mismatch (-want +got):\n%s", diff)
	}
}

func TestPIDReuse(t *testing.T) {
	t.Run("connect again without disconnect", func(t *testing.T) {
		st := aggregate.New(aggregate.Config{})
		apply(st,
			connect(7, "a", "alice", "psql"),
			connect(7, "b", "bob", "rails"), // the old backend is gone
		)
		checkSummary(t, st, aggregate.Filter{}, aggregate.Summary{
			Active: 1,
			ByDB:   rows("b", 1), ByUser: rows("bob", 1), ByApp: rows("rails", 1),
			Connects: 2, Events: 2, Replaced: 1,
		})
		out := apply(st, disconnect(7, "b", "bob"))
		if out[0].Event.App != "rails" || out[0].Unknown {
			t.Errorf("disconnect outcome = %+v, want the rails session closed", out[0])
		}
		checkSummary(t, st, aggregate.Filter{}, aggregate.Summary{Connects: 2, Disconnects: 1, Events: 3, Replaced: 1})
	})
	t.Run("connection received on an open pid", func(t *testing.T) {
		st := aggregate.New(aggregate.Config{})
		apply(st,
			connect(7, "a", "alice", "psql"),
			received(7, "10.0.0.9", "40000"),
		)
		checkSummary(t, st, aggregate.Filter{}, aggregate.Summary{Connects: 1, Events: 1, Replaced: 1})
		out := apply(st, connect(7, "b", "bob", ""))
		if out[0].Event.Host != "10.0.0.9" {
			t.Errorf("connect host = %q, want the new connection's 10.0.0.9", out[0].Event.Host)
		}
		checkSummary(t, st, aggregate.Filter{}, aggregate.Summary{
			Active: 1,
			ByDB:   rows("b", 1), ByUser: rows("bob", 1), ByApp: rows("unknown", 1),
			Connects: 2, Events: 2, Replaced: 1,
		})
	})
}

func TestDisconnectNeverSeen(t *testing.T) {
	st := aggregate.New(aggregate.Config{})
	out := apply(st, disconnect(9, "prod", "alice"))
	if !out[0].Unknown || out[0].Event.App != "unknown" {
		t.Errorf("outcome = %+v, want Unknown with application unknown", out[0])
	}
	checkSummary(t, st, aggregate.Filter{}, aggregate.Summary{Disconnects: 1, Events: 1})

	// A session of the same names opening later counts fully: the
	// earlier disconnect did not push its count below zero.
	apply(st,
		connect(10, "prod", "alice", ""),
		disconnect(10, "prod", "alice"),
		disconnect(10, "prod", "alice"), // a duplicate line
		connect(11, "prod", "alice", ""),
	)
	checkSummary(t, st, aggregate.Filter{}, aggregate.Summary{
		Active: 1,
		ByDB:   rows("prod", 1), ByUser: rows("alice", 1), ByApp: rows("unknown", 1),
		Connects: 2, Disconnects: 3, Events: 5,
	})
}

func TestPreLogSessions(t *testing.T) {
	// A log joined midway: sessions opened before it show up only by
	// their disconnections.
	st := aggregate.New(aggregate.Config{})
	apply(st,
		disconnect(101, "prod", "app_user"),
		disconnect(102, "prod", "app_user"),
		disconnect(103, "analytics", "readonly"),
	)
	checkSummary(t, st, aggregate.Filter{}, aggregate.Summary{Disconnects: 3, Events: 3})
	checkSummary(t, st, aggregate.Filter{DB: "prod"}, aggregate.Summary{Disconnects: 2, Events: 3})
}

func TestFailure(t *testing.T) {
	t.Run("after auth retracts the connect", func(t *testing.T) {
		st := aggregate.New(aggregate.Config{})
		apply(st, connect(5, "prod", "alice", "psql")) // an unrelated open session
		out := apply(st,
			received(7, "10.0.0.5", "54321"),
			connect(7, "nope", "bob", ""),
			failure(7, "nope", "bob", `database "nope" does not exist`, true),
		)
		if !out[2].Retracted || out[2].Event.Host != "10.0.0.5" {
			t.Errorf("failure outcome = %+v, want Retracted with host 10.0.0.5", out[2])
		}
		checkSummary(t, st, aggregate.Filter{}, aggregate.Summary{
			Active: 1,
			ByDB:   rows("prod", 1), ByUser: rows("alice", 1), ByApp: rows("psql", 1),
			Connects: 1, Failures: 1, FailuresByReason: rows(`database "nope" does not exist`, 1),
			Events: 3,
		})
		// The failed session is never open: a later disconnect on the pid
		// is unknown.
		if out := apply(st, disconnect(7, "nope", "bob")); !out[0].Unknown {
			t.Errorf("disconnect after a refused session: Unknown = false, want true")
		}
	})
	t.Run("before auth", func(t *testing.T) {
		st := aggregate.New(aggregate.Config{})
		out := apply(st,
			received(8, "10.0.0.6", "40000"),
			failure(8, "prod", "mallory", "password authentication failed", false),
		)
		if out[1].Retracted || out[1].Event.Host != "10.0.0.6" {
			t.Errorf("failure outcome = %+v, want not Retracted, host 10.0.0.6", out[1])
		}
		checkSummary(t, st, aggregate.Filter{}, aggregate.Summary{
			Failures: 1, FailuresByReason: rows("password authentication failed", 1), Events: 1,
		})
	})
	t.Run("after auth without a logged connect", func(t *testing.T) {
		st := aggregate.New(aggregate.Config{})
		apply(st, failure(9, "prod", "bob", `too many connections for role "bob"`, true))
		checkSummary(t, st, aggregate.Filter{}, aggregate.Summary{
			Failures: 1, FailuresByReason: rows(`too many connections for role "bob"`, 1), Events: 1,
		})
	})
	t.Run("before auth on a stale pid ends the old session", func(t *testing.T) {
		st := aggregate.New(aggregate.Config{})
		apply(st,
			connect(7, "prod", "alice", "psql"),
			failure(7, "prod", "eve", "password authentication failed", false),
		)
		checkSummary(t, st, aggregate.Filter{}, aggregate.Summary{
			Connects: 1, Failures: 1, FailuresByReason: rows("password authentication failed", 1),
			Events: 2, Replaced: 1,
		})
	})
	t.Run("reasons counted and ordered", func(t *testing.T) {
		st := aggregate.New(aggregate.Config{})
		for i := range 9 {
			apply(st, failure(100+i, "prod", "app_user", "too many connections", false))
		}
		for i := range 3 {
			apply(st, failure(200+i, "prod", "admin", "password authentication failed", false))
		}
		checkSummary(t, st, aggregate.Filter{}, aggregate.Summary{
			Failures: 12, FailuresByReason: rows("too many connections", 9, "password authentication failed", 3), Events: 12,
		})
		checkSummary(t, st, aggregate.Filter{User: "admin"}, aggregate.Summary{
			Failures: 3, FailuresByReason: rows("password authentication failed", 3), Events: 12,
		})
	})
}

func TestReset(t *testing.T) {
	for _, reason := range []string{"restart", "shutdown", "crash"} {
		t.Run(reason, func(t *testing.T) {
			st := aggregate.New(aggregate.Config{})
			apply(st,
				connect(1, "prod", "alice", "psql"),
				connect(2, "prod", "bob", "rails"),
				connect(3, "test", "carol", ""),
				disconnect(3, "test", "carol"),
				connect(4, "test", "dave", ""),
				received(5, "10.0.0.5", "5000"), // pending, never authorized
			)
			out := apply(st, reset(reason))
			if out[0].Ended != 3 {
				t.Errorf("Ended = %d, want 3", out[0].Ended)
			}
			want := aggregate.Summary{Connects: 4, Disconnects: 1, Events: 5, ResetEnded: 3, Ended: rows(reason, 3)}
			checkSummary(t, st, aggregate.Filter{}, want)
			// Filtered, the sessions the reset ended are those of the filter.
			if got := st.Summary(aggregate.Filter{DB: "prod"}).Ended; !cmp.Equal(got, rows(reason, 2)) {
				t.Errorf("Ended for prod = %v, want %s 2", got, reason)
			}
			// The log began with the server: connects - disconnects -
			// ended by reset = open sessions.
			if s := st.Summary(aggregate.Filter{}); s.Connects-s.Disconnects-s.ResetEnded != s.Active {
				t.Errorf("%d - %d - %d != %d active", s.Connects, s.Disconnects, s.ResetEnded, s.Active)
			}

			// After the reset, pids are void: the pending "connection
			// received" is forgotten and an old pid's disconnect is unknown.
			out = apply(st,
				connect(5, "prod", "erin", ""),
				disconnect(1, "prod", "alice"),
			)
			if out[0].Event.Host != "" {
				t.Errorf("connect after reset took stale host %q", out[0].Event.Host)
			}
			if !out[1].Unknown {
				t.Errorf("disconnect of a pid ended by the reset: Unknown = false, want true")
			}
			want = aggregate.Summary{
				Active: 1,
				ByDB:   rows("prod", 1), ByUser: rows("erin", 1), ByApp: rows("unknown", 1),
				Connects: 5, Disconnects: 2, Events: 7, ResetEnded: 3, Ended: rows(reason, 3),
			}
			checkSummary(t, st, aggregate.Filter{}, want)
		})
	}
	t.Run("crash sequence resets twice", func(t *testing.T) {
		st := aggregate.New(aggregate.Config{})
		out := apply(st,
			connect(1, "prod", "alice", ""),
			connect(2, "prod", "bob", ""),
			reset("crash"), // terminating any other active server processes
			reset("crash"), // all server processes terminated; reinitializing
		)
		if out[2].Ended != 2 || out[3].Ended != 0 {
			t.Errorf("Ended = %d, %d; want 2, 0", out[2].Ended, out[3].Ended)
		}
		checkSummary(t, st, aggregate.Filter{}, aggregate.Summary{Connects: 2, Events: 2, ResetEnded: 2, Ended: rows("crash", 2)})
	})
}

func TestNoPID(t *testing.T) {
	st := aggregate.New(aggregate.Config{})
	apply(st,
		connect(0, "a", "u", "app1"),
		connect(0, "a", "u", "app2"),
		connect(0, "a", "v", ""),
		disconnect(0, "a", "u"), // closes the oldest (a, u) session: app1
	)
	checkSummary(t, st, aggregate.Filter{}, aggregate.Summary{
		Active: 2,
		ByDB:   rows("a", 2), ByUser: rows("u", 1, "v", 1), ByApp: rows("app2", 1, "unknown", 1),
		Connects: 3, Disconnects: 1, Events: 4, NoPID: true,
	})

	// More disconnects than connects never drive a count below zero.
	out := apply(st,
		disconnect(0, "a", "u"),
		disconnect(0, "a", "u"),
		disconnect(0, "b", "w"),
	)
	if out[0].Unknown || !out[1].Unknown || !out[2].Unknown {
		t.Errorf("Unknown = %v, %v, %v; want false, true, true", out[0].Unknown, out[1].Unknown, out[2].Unknown)
	}
	checkSummary(t, st, aggregate.Filter{}, aggregate.Summary{
		Active: 1,
		ByDB:   rows("a", 1), ByUser: rows("v", 1), ByApp: rows("unknown", 1),
		Connects: 3, Disconnects: 4, Events: 7, NoPID: true,
	})

	// A reset ends estimated sessions too.
	out = apply(st, reset("shutdown"))
	if out[0].Ended != 1 {
		t.Errorf("Ended = %d, want 1", out[0].Ended)
	}
	checkSummary(t, st, aggregate.Filter{}, aggregate.Summary{
		Connects: 3, Disconnects: 4, Events: 7, NoPID: true, ResetEnded: 1, Ended: rows("shutdown", 1),
	})
}

func TestSummaryFilter(t *testing.T) {
	st := aggregate.New(aggregate.Config{})
	apply(st,
		connect(1, "prod", "app_user", "rails"),
		connect(2, "prod", "app_user", "rails"),
		connect(3, "prod", "app_user", "sidekiq"),
		connect(4, "prod", "admin", "psql"),
		connect(5, "analytics", "app_user", ""),
		connect(6, "analytics", "readonly", "psql"),
		disconnect(2, "prod", "app_user"),
		disconnect(6, "analytics", "readonly"),
		failure(7, "prod", "admin", "password authentication failed", false),
		failure(8, "analytics", "app_user", "too many connections", false),
	)
	tests := []struct {
		f    aggregate.Filter
		want aggregate.Summary
	}{
		{
			f: aggregate.Filter{},
			want: aggregate.Summary{
				Active: 4,
				ByDB:   rows("prod", 3, "analytics", 1), ByUser: rows("app_user", 3, "admin", 1), ByApp: rows("psql", 1, "rails", 1, "sidekiq", 1, "unknown", 1),
				Connects: 6, Disconnects: 2,
				Failures: 2, FailuresByReason: rows("password authentication failed", 1, "too many connections", 1),
				Events: 10,
			},
		},
		{
			f: aggregate.Filter{DB: "prod"},
			want: aggregate.Summary{
				Active: 3,
				ByDB:   rows("prod", 3), ByUser: rows("app_user", 2, "admin", 1), ByApp: rows("psql", 1, "rails", 1, "sidekiq", 1),
				Connects: 4, Disconnects: 1,
				Failures: 1, FailuresByReason: rows("password authentication failed", 1),
				Events: 10,
			},
		},
		{
			f: aggregate.Filter{User: "app_user"},
			want: aggregate.Summary{
				Active: 3,
				ByDB:   rows("prod", 2, "analytics", 1), ByUser: rows("app_user", 3), ByApp: rows("rails", 1, "sidekiq", 1, "unknown", 1),
				Connects: 4, Disconnects: 1,
				Failures: 1, FailuresByReason: rows("too many connections", 1),
				Events: 10,
			},
		},
		{
			f: aggregate.Filter{App: "unknown"},
			want: aggregate.Summary{
				Active: 1,
				ByDB:   rows("analytics", 1), ByUser: rows("app_user", 1), ByApp: rows("unknown", 1),
				Connects: 1,
				// Failures name no application here: they count as unknown.
				Failures: 2, FailuresByReason: rows("password authentication failed", 1, "too many connections", 1),
				Events: 10,
			},
		},
		{
			f: aggregate.Filter{DB: "prod", User: "app_user", App: "rails"},
			want: aggregate.Summary{
				Active: 1,
				ByDB:   rows("prod", 1), ByUser: rows("app_user", 1), ByApp: rows("rails", 1),
				Connects: 2, Disconnects: 1,
				Events: 10,
			},
		},
		{
			f:    aggregate.Filter{DB: "Prod"}, // exact, case-sensitive
			want: aggregate.Summary{Events: 10},
		},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%+v", tc.f), func(t *testing.T) {
			checkSummary(t, st, tc.f, tc.want)
		})
	}
}

func TestRowOrder(t *testing.T) {
	st := aggregate.New(aggregate.Config{})
	pid := 0
	open := func(n int, db, app string) {
		for range n {
			pid++
			apply(st, connect(pid, db, "u", app))
		}
	}
	open(5, "zeta", "")        // unknown application: biggest, yet last
	open(2, "beta", "b")       // ties sort by name
	open(2, "alpha", "a")      //
	open(3, "gamma", "c")      //
	open(1, "unknown-ish", "") // only the exact name "unknown" is special
	s := st.Summary(aggregate.Filter{})
	if diff := cmp.Diff(rows("zeta", 5, "gamma", 3, "alpha", 2, "beta", 2, "unknown-ish", 1), s.ByDB); diff != "" {
		t.Errorf("ByDB (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(rows("c", 3, "a", 2, "b", 2, "unknown", 6), s.ByApp); diff != "" {
		t.Errorf("ByApp (-want +got):\n%s", diff)
	}

	// An empty database or user name counts as unknown, too.
	st = aggregate.New(aggregate.Config{})
	apply(st, connect(1, "", "", "x"), connect(2, "a", "b", "x"))
	s = st.Summary(aggregate.Filter{})
	if diff := cmp.Diff(rows("a", 1, "unknown", 1), s.ByDB); diff != "" {
		t.Errorf("ByDB with an empty name (-want +got):\n%s", diff)
	}
}

func checkHistory(t *testing.T, got aggregate.History, want aggregate.History) {
	t.Helper()
	if diff := cmp.Diff(want, got, equateEmpty); diff != "" {
		t.Errorf("History mismatch (-want +got):\n%s", diff)
	}
}

func row(start time.Time, active, change int, leak bool) aggregate.HistoryRow {
	return aggregate.HistoryRow{Start: start, Active: active, Change: change, Leak: leak}
}

func TestHistory(t *testing.T) {
	st := aggregate.New(aggregate.Config{})
	apply(st,
		at(tm("09:30"), connect(1, "prod", "alice", "psql")), // open before the window
		at(tm("09:40"), connect(2, "prod", "bob", "")),
		at(tm("09:50"), disconnect(2, "prod", "bob")), // before the window: not in totals
		at(tm("10:05"), connect(3, "prod", "alice", "rails")),
		at(tm("10:20"), connect(4, "analytics", "carol", "")),
		at(tm("10:25"), disconnect(1, "prod", "alice")),
		at(tm("10:40"), connect(5, "prod", "alice", "rails")),
		at(tm("10:52:10"), connect(6, "prod", "bob", "rails")), // the newest time stamp
	)

	t.Run("all", func(t *testing.T) {
		checkHistory(t, st.History(aggregate.Filter{}, time.Hour, 15*time.Minute), aggregate.History{
			Window: time.Hour, Bucket: 15 * time.Minute, HasTime: true,
			Connects: 4, Disconnects: 1,
			Rows: []aggregate.HistoryRow{
				row(tm("10:00"), 2, 0, false), // pids 1 and 3
				row(tm("10:15"), 2, 0, false), // 1 closed, 4 opened
				row(tm("10:30"), 3, 1, false),
				row(tm("10:45"), 4, 1, false), // the active count at the end of input
			},
		})
		if got, want := st.Summary(aggregate.Filter{}).Active, 4; got != want {
			t.Errorf("Summary.Active = %d, want %d (last history row)", got, want)
		}
	})
	t.Run("filtered by database", func(t *testing.T) {
		checkHistory(t, st.History(aggregate.Filter{DB: "prod"}, time.Hour, 15*time.Minute), aggregate.History{
			Window: time.Hour, Bucket: 15 * time.Minute, HasTime: true,
			Connects: 3, Disconnects: 1,
			Rows: []aggregate.HistoryRow{
				row(tm("10:00"), 2, 0, false),
				row(tm("10:15"), 1, -1, false),
				row(tm("10:30"), 2, 1, false),
				row(tm("10:45"), 3, 1, false),
			},
		})
	})
	t.Run("filtered by application", func(t *testing.T) {
		checkHistory(t, st.History(aggregate.Filter{App: "rails"}, time.Hour, 15*time.Minute), aggregate.History{
			Window: time.Hour, Bucket: 15 * time.Minute, HasTime: true,
			Connects: 3,
			Rows: []aggregate.HistoryRow{
				row(tm("10:00"), 1, 0, false),
				row(tm("10:15"), 1, 0, false),
				row(tm("10:30"), 2, 1, false),
				row(tm("10:45"), 3, 1, false),
			},
		})
	})
	t.Run("wider window includes earlier events", func(t *testing.T) {
		checkHistory(t, st.History(aggregate.Filter{}, 2*time.Hour, 30*time.Minute), aggregate.History{
			Window: 2 * time.Hour, Bucket: 30 * time.Minute, HasTime: true,
			Connects: 6, Disconnects: 2,
			Rows: []aggregate.HistoryRow{
				row(tm("09:00"), 0, 0, false),
				row(tm("09:30"), 1, 1, false), // 2 opened and closed inside
				row(tm("10:00"), 2, 1, false),
				row(tm("10:30"), 4, 2, true), // three rises in a row
			},
		})
	})
	t.Run("hour buckets", func(t *testing.T) {
		h := st.History(aggregate.Filter{}, 3*time.Hour, time.Hour)
		var starts []string
		for _, r := range h.Rows {
			starts = append(starts, r.Start.Format("15:04"))
		}
		if diff := cmp.Diff([]string{"08:00", "09:00", "10:00"}, starts); diff != "" {
			t.Errorf("bucket starts (-want +got):\n%s", diff)
		}
	})
}

func TestHistoryWindowEnd(t *testing.T) {
	// The window ends at the newest time stamp, in the log's own time.
	for _, tc := range []struct {
		newest string
		first  string
	}{
		{"10:45:00", "10:00"},
		{"10:44:59", "09:45"},
		{"10:59:59", "10:00"},
		{"00:05:00", "23:15"}, // across midnight
	} {
		t.Run(tc.newest, func(t *testing.T) {
			st := aggregate.New(aggregate.Config{})
			apply(st, at(tm(tc.newest), connect(1, "a", "u", "")))
			h := st.History(aggregate.Filter{}, time.Hour, 15*time.Minute)
			if len(h.Rows) != 4 {
				t.Fatalf("%d rows, want 4", len(h.Rows))
			}
			if got := h.Rows[0].Start.Format("15:04"); got != tc.first {
				t.Errorf("first bucket %s, want %s", got, tc.first)
			}
			if last := h.Rows[3]; last.Active != 1 || !last.Start.Add(15*time.Minute).After(tm(tc.newest)) || last.Start.After(tm(tc.newest)) {
				t.Errorf("last row %+v does not hold the newest time stamp %s", last, tc.newest)
			}
		})
	}
}

func TestHistoryZoneAligned(t *testing.T) {
	// Buckets align to the log's wall clock, whatever its offset.
	for _, loc := range []*time.Location{
		time.FixedZone("+0545", 5*3600+45*60),
		time.FixedZone("-03", -3*3600),
		time.FixedZone("CET", 3600),
	} {
		t.Run(loc.String(), func(t *testing.T) {
			st := aggregate.New(aggregate.Config{})
			apply(st,
				at(tmIn("10:07", loc), connect(1, "a", "u", "")),
				at(tmIn("10:52:10", loc), connect(2, "a", "u", "")),
			)
			h := st.History(aggregate.Filter{}, time.Hour, 15*time.Minute)
			want := []aggregate.HistoryRow{
				row(tmIn("10:00", loc), 1, 0, false),
				row(tmIn("10:15", loc), 1, 0, false),
				row(tmIn("10:30", loc), 1, 0, false),
				row(tmIn("10:45", loc), 2, 1, false),
			}
			if diff := cmp.Diff(want, h.Rows); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			if got := h.Rows[0].Start.Format("15:04 MST"); got != "10:00 "+loc.String() {
				t.Errorf("first row starts %s, want 10:00 in the log's zone", got)
			}
		})
	}
}

// leakEvents opens 14 sessions before the window and then, inside it,
// 234 connects and 187 disconnects so the active count reads 40, 45, 52
// and 61 at the ends of the four 15-minute buckets from 10:00.
func leakEvents() []parse.Event {
	var evs []parse.Event
	pid := 1000
	var open []int
	conn := func(t time.Time) {
		pid++
		open = append(open, pid)
		evs = append(evs, at(t, connect(pid, "production", "app_user", "rails")))
	}
	disc := func(t time.Time) {
		p := open[0]
		open = open[1:]
		evs = append(evs, at(t, disconnect(p, "production", "app_user")))
	}
	for range 14 {
		conn(tm("09:30"))
	}
	// Bucket nets: +26, +5, +7, +9 = +47; connects 234, disconnects 187.
	for b, plan := range []struct{ connects, disconnects int }{
		{26 + 47, 47}, {5 + 47, 47}, {7 + 47, 47}, {9 + 45, 45},
	} {
		start := tm("10:00").Add(time.Duration(b) * 15 * time.Minute)
		for i := range plan.connects {
			conn(start.Add(time.Duration(i) * time.Second))
		}
		for i := range plan.disconnects {
			disc(start.Add(5*time.Minute + time.Duration(i)*time.Second))
		}
	}
	evs = append(evs, at(tm("10:52:10"), connect(1, "test", "admin", "psql")))
	evs = append(evs, at(tm("10:52:10"), disconnect(1, "test", "admin")))
	return evs
}

func TestHistoryLeak(t *testing.T) {
	st := aggregate.New(aggregate.Config{})
	apply(st, leakEvents()...)
	checkHistory(t, st.History(aggregate.Filter{}, time.Hour, 15*time.Minute), aggregate.History{
		Window: time.Hour, Bucket: 15 * time.Minute, HasTime: true,
		Connects: 234, Disconnects: 187,
		Rows: []aggregate.HistoryRow{
			row(tm("10:00"), 40, 0, false),
			row(tm("10:15"), 45, 5, false),
			row(tm("10:30"), 52, 7, false),
			row(tm("10:45"), 61, 9, true),
		},
	})
	// The filter selects only the leaking application.
	h := st.History(aggregate.Filter{App: "psql"}, time.Hour, 15*time.Minute)
	if h.Connects != 1 || h.Disconnects != 1 || h.Rows[3].Active != 0 || h.Rows[3].Leak {
		t.Errorf("psql history = %+v, want one connect and disconnect, no leak", h)
	}
}

func TestHistoryLeakRule(t *testing.T) {
	// The active count at each bucket's end, and where the marker falls:
	// a rise in each of the last three buckets without a fall.
	tests := []struct {
		name   string
		active []int
		leak   []bool
	}{
		{"three rises", []int{1, 2, 3, 4}, []bool{false, false, false, true}},
		{"four rises", []int{1, 2, 3, 4, 5}, []bool{false, false, false, true, true}},
		{"two rises", []int{1, 2, 3, 3}, []bool{false, false, false, false}},
		{"fall restarts", []int{1, 2, 3, 2, 3, 4, 5}, []bool{false, false, false, false, false, false, true}},
		{"flat restarts", []int{1, 2, 3, 3, 4, 5}, []bool{false, false, false, false, false, false}},
		{"falling", []int{5, 4, 3, 2}, []bool{false, false, false, false}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := aggregate.New(aggregate.Config{})
			pid, prev := 0, 0
			var open []int
			start := tm("08:00")
			for b, n := range tc.active {
				bt := start.Add(time.Duration(b) * 15 * time.Minute)
				for ; prev < n; prev++ {
					pid++
					open = append(open, pid)
					apply(st, at(bt, connect(pid, "a", "u", "")))
				}
				for ; prev > n; prev-- {
					apply(st, at(bt, disconnect(open[len(open)-1], "a", "u")))
					open = open[:len(open)-1]
				}
			}
			// Input ends in the last bucket, even when nothing changed there.
			apply(st, at(start.Add(time.Duration(len(tc.active)-1)*15*time.Minute+time.Minute), received(0, "", "")))
			window := time.Duration(len(tc.active)) * 15 * time.Minute
			h := st.History(aggregate.Filter{}, window, 15*time.Minute)
			var active []int
			var leak []bool
			for _, r := range h.Rows {
				active = append(active, r.Active)
				leak = append(leak, r.Leak)
			}
			if diff := cmp.Diff(tc.active, active); diff != "" {
				t.Errorf("active (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.leak, leak); diff != "" {
				t.Errorf("leak (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHistoryRetraction(t *testing.T) {
	// A connect refused after authorization is no connect in history either.
	st := aggregate.New(aggregate.Config{})
	apply(st,
		at(tm("10:05"), connect(1, "a", "u", "")),
		at(tm("10:20"), connect(7, "nope", "u", "")),
		at(tm("10:20:00.01"), failure(7, "nope", "u", `database "nope" does not exist`, true)),
		at(tm("10:50"), connect(2, "a", "u", "")),
	)
	checkHistory(t, st.History(aggregate.Filter{}, time.Hour, 15*time.Minute), aggregate.History{
		Window: time.Hour, Bucket: 15 * time.Minute, HasTime: true,
		Connects: 2,
		Rows: []aggregate.HistoryRow{
			row(tm("10:00"), 1, 0, false),
			row(tm("10:15"), 1, 0, false),
			row(tm("10:30"), 1, 0, false),
			row(tm("10:45"), 2, 1, false),
		},
	})
}

func TestHistoryReset(t *testing.T) {
	st := aggregate.New(aggregate.Config{})
	apply(st,
		at(tm("10:05"), connect(1, "a", "u", "")),
		at(tm("10:06"), connect(2, "a", "u", "")),
		at(tm("10:20"), reset("crash")),
		at(tm("10:50"), connect(1, "a", "u", "")),
	)
	checkHistory(t, st.History(aggregate.Filter{}, time.Hour, 15*time.Minute), aggregate.History{
		Window: time.Hour, Bucket: 15 * time.Minute, HasTime: true,
		Connects: 3,
		Rows: []aggregate.HistoryRow{
			row(tm("10:00"), 2, 0, false),
			row(tm("10:15"), 0, -2, false),
			row(tm("10:30"), 0, 0, false),
			row(tm("10:45"), 1, 1, false),
		},
	})
}

func TestHistoryRetention(t *testing.T) {
	// Slots older than the retention are dropped; sessions opened then
	// still count as active.
	st := aggregate.New(aggregate.Config{Retention: 2 * time.Hour})
	apply(st, at(tm("03:00"), connect(1, "a", "u", "")))
	for i := range 40 {
		apply(st, at(tm("03:10").Add(time.Duration(i)*10*time.Minute), connect(100+i, "b", "u", "")))
		apply(st, at(tm("03:11").Add(time.Duration(i)*10*time.Minute), disconnect(100+i, "b", "u")))
	}
	h := st.History(aggregate.Filter{}, time.Hour, 15*time.Minute)
	for _, r := range h.Rows {
		if r.Active != 1 {
			t.Errorf("row %s active %d, want 1", r.Start.Format("15:04"), r.Active)
		}
	}
	if h.Connects != 6 || h.Disconnects != 6 {
		t.Errorf("window totals %d, %d; want 6, 6", h.Connects, h.Disconnects)
	}
}

func TestHistoryNoTime(t *testing.T) {
	st := aggregate.New(aggregate.Config{})
	apply(st, connect(1, "a", "u", ""), disconnect(1, "a", "u"))
	checkHistory(t, st.History(aggregate.Filter{}, time.Hour, 15*time.Minute), aggregate.History{
		Window: time.Hour, Bucket: 15 * time.Minute,
	})
}

func TestFilterMatch(t *testing.T) {
	n := aggregate.Names{DB: "prod", User: "alice", App: "psql"}
	for _, tc := range []struct {
		f    aggregate.Filter
		want bool
	}{
		{aggregate.Filter{}, true},
		{aggregate.Filter{DB: "prod"}, true},
		{aggregate.Filter{DB: "prod", User: "alice", App: "psql"}, true},
		{aggregate.Filter{DB: "prod", User: "bob"}, false},
		{aggregate.Filter{App: "PSQL"}, false},
		{aggregate.Filter{DB: "pro"}, false},
	} {
		if got := tc.f.Match(n); got != tc.want {
			t.Errorf("%+v.Match(%+v) = %v, want %v", tc.f, n, got, tc.want)
		}
	}
}

// TestInvariants applies long random sequences and checks what must
// always hold: no count below zero, every section sums to Active, and the
// last history row is the active count at the end of input.
func TestInvariants(t *testing.T) {
	dbs := []string{"prod", "test", ""}
	users := []string{"alice", "bob"}
	apps := []string{"psql", "rails", ""}
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 42))
		st := aggregate.New(aggregate.Config{Retention: 3 * time.Hour})
		now := tm("08:00")
		for i := range 3000 {
			now = now.Add(time.Duration(rng.IntN(10)) * time.Second)
			pid := rng.IntN(40) // 0: a log without pids
			ev := parse.Event{Time: now, PID: pid, DB: dbs[rng.IntN(3)], User: users[rng.IntN(2)], App: apps[rng.IntN(3)]}
			switch r := rng.IntN(100); {
			case r < 40:
				ev.Kind = parse.Connect
			case r < 75:
				ev.Kind = parse.Disconnect
			case r < 85:
				ev.Kind = parse.Received
			case r < 99:
				ev.Kind, ev.Reason, ev.AfterAuth = parse.Failure, "x", rng.IntN(2) == 0
			default:
				ev.Kind, ev.Reason = parse.Reset, "crash"
			}
			st.Apply(new(ev))
			if i%100 != 99 {
				continue
			}
			for _, f := range []aggregate.Filter{{}, {DB: "prod"}, {User: "bob", App: "unknown"}} {
				s := st.Summary(f)
				if s.Active < 0 {
					t.Fatalf("seed %d event %d: Active %d", seed, i, s.Active)
				}
				for name, rs := range map[string][]aggregate.Row{"db": s.ByDB, "user": s.ByUser, "app": s.ByApp} {
					sum := 0
					for _, r := range rs {
						if r.Count <= 0 {
							t.Fatalf("seed %d event %d: %s row %+v", seed, i, name, r)
						}
						sum += r.Count
					}
					if sum != s.Active {
						t.Fatalf("seed %d event %d: %s rows sum to %d, Active %d", seed, i, name, sum, s.Active)
					}
				}
				h := st.History(f, time.Hour, 15*time.Minute)
				for _, r := range h.Rows {
					if r.Active < 0 {
						t.Fatalf("seed %d event %d: history row %+v", seed, i, r)
					}
				}
				if last := h.Rows[len(h.Rows)-1]; last.Active != s.Active {
					t.Fatalf("seed %d event %d filter %+v: last history row %d, Active %d", seed, i, f, last.Active, s.Active)
				}
			}
		}
	}
}

// Without PIDs, a refusal after "connection authorized" withdraws the
// newest session of its database and user from the peak too.
func TestNoPIDRefusalLeavesNoPeak(t *testing.T) {
	st := aggregate.New(aggregate.Config{})
	base := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	apply(st,
		at(base, connect(0, "prod", "alice", "")),
		at(base.Add(time.Second), connect(0, "prod", "bob", "")),
		at(base.Add(2*time.Second), failure(0, "prod", "bob", `database "prod" does not exist`, true)),
		at(base.Add(3*time.Second), connect(0, "prod", "carol", "")),
	)
	if got := st.Peak().Active; got != 2 {
		t.Errorf("Peak = %d, want 2 (bob's refused attempt never was a session)", got)
	}
	if got := st.Summary(aggregate.Filter{}).Active; got != 2 {
		t.Errorf("Active = %d, want 2", got)
	}
}

// With log_line_prefix '%m ' a refusal after authorization names only
// what its message quotes (the role, or the database): it still
// withdraws the session its "connection authorized" line opened, from
// every total, the peak and the timeline.
func TestNoPIDRefusalNamesFromMessage(t *testing.T) {
	for _, c := range []struct {
		name     string
		db, user string
		reason   string
	}{
		{"role", "", "bob", `too many connections for role "bob"`},
		{"database", "nodb", "", `database "nodb" does not exist`},
		{"none", "", "", "reserved connection slots"},
	} {
		t.Run(c.name, func(t *testing.T) {
			st := aggregate.New(aggregate.Config{})
			db := c.db
			if db == "" {
				db = "sales"
			}
			user := c.user
			if user == "" {
				user = "alice"
			}
			apply(st,
				at(tm("10:00"), connect(0, "sales", "carol", "psql")),
				at(tm("10:01"), connect(0, "other", "dave", "")),
				at(tm("10:16"), connect(0, db, user, "psql")),
				at(tm("10:16:00.002"), failure(0, c.db, c.user, c.reason, true)),
			)
			s := st.Summary(aggregate.Filter{})
			if s.Connects != 2 || s.Active != 2 {
				t.Errorf("Connects = %d, Active = %d; want 2, 2 (the refused session withdrawn)", s.Connects, s.Active)
			}
			if got := st.Summary(aggregate.Filter{User: user, DB: db}); got.Connects != 0 || got.Active != 0 {
				t.Errorf("refused %s@%s: Connects = %d, Active = %d; want 0, 0", user, db, got.Connects, got.Active)
			}
			if p := st.Peak(); p.Active != 2 {
				t.Errorf("Peak = %d, want 2", p.Active)
			}
			h := st.History(aggregate.Filter{}, 30*time.Minute, 15*time.Minute)
			if h.Connects != 2 || h.Rows[len(h.Rows)-1].Active != 2 {
				t.Errorf("history: %d connects, last row %d; want 2, 2", h.Connects, h.Rows[len(h.Rows)-1].Active)
			}
		})
	}
}

// At the end of DST, 02:10 CET is 20 minutes after 02:50 CEST: the
// timeline is keyed by instant, and both connects are in the window.
func TestHistoryDSTFallBack(t *testing.T) {
	cest, cet := time.FixedZone("CEST", 2*3600), time.FixedZone("CET", 3600)
	st := aggregate.New(aggregate.Config{})
	apply(st,
		at(time.Date(2026, 10, 25, 2, 50, 0, 0, cest), connect(1, "a", "u", "")),
		at(time.Date(2026, 10, 25, 2, 10, 0, 0, cet), connect(2, "a", "u", "")),
	)
	h := st.History(aggregate.Filter{}, time.Hour, 15*time.Minute)
	checkHistory(t, h, aggregate.History{
		Window: time.Hour, Bucket: 15 * time.Minute, HasTime: true,
		Connects: 2,
		Rows: []aggregate.HistoryRow{
			// In CET, the zone of the log's end: 02:50 CEST is 01:50 CET.
			row(time.Date(2026, 10, 25, 1, 15, 0, 0, cet), 0, 0, false),
			row(time.Date(2026, 10, 25, 1, 30, 0, 0, cet), 0, 0, false),
			row(time.Date(2026, 10, 25, 1, 45, 0, 0, cet), 1, 1, false),
			row(time.Date(2026, 10, 25, 2, 0, 0, 0, cet), 2, 1, false),
		},
	})
}
