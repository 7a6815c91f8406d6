package aggregate

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/pgtail/pgtail/parse"
)

var fuzzNames = []string{"", "a", "b", Unknown}

// decodeEvents turns fuzz bytes into events, four bytes each: kind and
// flags, PID (0 to 7; 0 is "no PID"), names, and a time step of -128 to
// +127 minutes (or no time stamp at all).
func decodeEvents(data []byte) []parse.Event {
	t := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	var evs []parse.Event
	for ; len(data) >= 4; data = data[4:] {
		b0, b1, b2, b3 := data[0], data[1], data[2], data[3]
		t = t.Add(time.Duration(int8(b3)) * time.Minute)
		ev := parse.Event{
			Kind:        parse.Kind(b0%5 + 1),
			PID:         int(b1 % 8),
			DB:          fuzzNames[b2%4],
			User:        fuzzNames[b2>>2%4],
			App:         fuzzNames[b2>>4%4],
			Time:        t,
			AfterAuth:   b0&0x10 != 0,
			Replication: b0&0x20 != 0,
			Reason:      "r",
		}
		if b0&0x40 != 0 {
			ev.Time = time.Time{}
		}
		if b2&0x40 != 0 {
			ev.Host = "h"
		}
		evs = append(evs, ev)
	}
	return evs
}

// model is the spec's count, kept independently of State: sessions by
// PID, and without a PID connects minus disconnects per database and user
// (anon, in connect order: a disconnect closes the oldest of its names, a
// refusal after authorization the newest of the names it carries).
type model struct {
	open map[int]bool
	anon [][2]string
}

func (m *model) apply(ev parse.Event) {
	switch ev.Kind {
	case parse.Received, parse.Failure:
		delete(m.open, ev.PID) // a new backend on this PID; a refused session
		if ev.Kind == parse.Failure && ev.PID == 0 && ev.AfterAuth {
			// Refused after authorization: that session never opened.
			for i := len(m.anon) - 1; i >= 0; i-- {
				if k := m.anon[i]; (ev.DB == "" || k[0] == ev.DB) && (ev.User == "" || k[1] == ev.User) {
					m.anon = slices.Delete(m.anon, i, i+1)
					break
				}
			}
		}
	case parse.Connect:
		if ev.PID == 0 {
			m.anon = append(m.anon, [2]string{ev.DB, ev.User})
		} else {
			m.open[ev.PID] = true
		}
	case parse.Disconnect:
		if ev.PID != 0 {
			delete(m.open, ev.PID)
		} else if i := slices.Index(m.anon, [2]string{ev.DB, ev.User}); i >= 0 {
			m.anon = slices.Delete(m.anon, i, i+1)
		}
	case parse.Reset:
		clear(m.open)
		m.anon = nil
	}
}

func (m *model) active() int {
	return len(m.open) + len(m.anon)
}

func sum(rows []Row) int {
	n := 0
	for _, r := range rows {
		n += r.Count
	}
	return n
}

func FuzzState(f *testing.F) {
	f.Add([]byte{1, 1, 0, 1, 2, 1, 0, 1})                         // connect, disconnect
	f.Add([]byte{1, 1, 5, 1, 3, 1, 5, 0, 0x13, 1, 5, 0})          // connect, refused after auth
	f.Add([]byte{1, 0, 5, 1, 1, 0, 5, 1, 4, 0, 0, 1, 2, 0, 5, 1}) // no PID, reset, late disconnect
	f.Add([]byte{1, 1, 0, 10, 0x41, 2, 0, 0, 0, 1, 0, 0x80})      // no time stamp, time steps back
	f.Fuzz(func(t *testing.T, data []byte) {
		st := New(Config{Resolution: time.Minute, Retention: 75 * time.Minute})
		m := model{open: map[int]bool{}}
		defer func() {
			// The recorded session reads back to the same report.
			b, err := json.Marshal(st)
			if err != nil {
				t.Fatal(err)
			}
			back := New(Config{})
			if err := json.Unmarshal(b, back); err != nil {
				t.Fatalf("snapshot does not read back: %v", err)
			}
			if a, b := st.Summary(Filter{}), back.Summary(Filter{}); !reflect.DeepEqual(a, b) {
				t.Fatalf("snapshot round trip: %+v, want %+v", b, a)
			}
		}()
		for i, ev := range decodeEvents(data) {
			st.Apply(new(ev))
			m.apply(ev)
			s := st.Summary(Filter{})
			if s.Active < 0 || s.Active != m.active() {
				t.Fatalf("after event %d %+v: Active = %d, want %d", i, ev, s.Active, m.active())
			}
			for _, d := range []struct {
				name string
				rows []Row
			}{{"database", s.ByDB}, {"user", s.ByUser}, {"application", s.ByApp}} {
				if got := sum(d.rows); got != s.Active {
					t.Fatalf("after event %d: by-%s rows sum to %d, Active = %d", i, d.name, got, s.Active)
				}
				for _, r := range d.rows {
					if r.Count <= 0 || r.Name == "" {
						t.Fatalf("after event %d: by-%s row %+v", i, d.name, r)
					}
				}
			}
			if got := sum(st.ByHost(Filter{})); got != s.Active {
				t.Fatalf("after event %d: by-host rows sum to %d, Active = %d", i, got, s.Active)
			}
			if p := st.Peak(); p.Active < s.Active {
				t.Fatalf("after event %d: peak %d below Active %d", i, p.Active, s.Active)
			}
			if s.Connects < 0 || s.Disconnects < 0 || s.Failures < 0 {
				t.Fatalf("after event %d: negative totals %+v", i, s)
			}
			// Filters partition the sessions.
			part := 0
			for _, db := range fuzzNames[1:] {
				part += st.Summary(Filter{DB: db}).Active
			}
			if part != s.Active {
				t.Fatalf("after event %d: per-database filters sum to %d, Active = %d", i, part, s.Active)
			}
			h := st.History(Filter{}, time.Hour, 15*time.Minute)
			if !h.HasTime {
				continue
			}
			if last := h.Rows[len(h.Rows)-1].Active; last != s.Active {
				t.Fatalf("after event %d: last history row %d, Active = %d", i, last, s.Active)
			}
			if h.Connects < 0 || h.Disconnects < 0 {
				t.Fatalf("after event %d: negative history totals %+v", i, h)
			}
			for _, r := range h.Rows {
				if r.Active < 0 {
					t.Fatalf("after event %d: history row %v has %d active", i, r.Start.Format("15:04"), r.Active)
				}
			}
		}
	})
}
