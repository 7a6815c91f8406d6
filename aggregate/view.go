package aggregate

import (
	"cmp"
	"slices"
	"time"
)

// A Filter selects sessions by exact, case-sensitive names; an empty
// field matches everything. Fields are AND-ed.
type Filter struct {
	DB, User, App string
}

// Match reports whether n passes the filter.
func (f Filter) Match(n Names) bool {
	return (f.DB == "" || f.DB == n.DB) && (f.User == "" || f.User == n.User) && (f.App == "" || f.App == n.App)
}

// A Row is one name and its count.
type Row struct {
	Name  string
	Count int
}

// Summary is the state at the end of input, as the default view shows it.
type Summary struct {
	Active               int
	ByDB, ByUser, ByApp  []Row // open sessions; count descending, "unknown" last
	Connects             int
	Disconnects          int
	Failures             int
	FailuresByReason     []Row
	Events               int  // connects, disconnects and failures seen, before filtering
	NoPID                bool // sessions were estimated from names
	ResetEnded, Replaced int
	// Ended counts the sessions that pass the filter and that a server
	// reset ended without a disconnection line, by the reset's reason
	// ("crash", "shutdown", "restart").
	Ended []Row
}

// Summary returns the current counts of the sessions that pass f.
func (s *State) Summary(f Filter) Summary {
	sum := Summary{Events: s.events, NoPID: s.noPID, ResetEnded: s.resetEnd, Replaced: s.replaced}
	db, user, app := map[string]int{}, map[string]int{}, map[string]int{}
	for i, n := range s.names {
		if !f.Match(n) {
			continue
		}
		t := s.tally[i]
		sum.Connects += t.connects
		sum.Disconnects += t.disconnects
		if t.active > 0 {
			sum.Active += t.active
			db[n.DB] += t.active
			user[n.User] += t.active
			app[n.App] += t.active
		}
	}
	sum.ByDB, sum.ByUser, sum.ByApp = rows(db), rows(user), rows(app)
	reasons := map[string]int{}
	for k, c := range s.failures {
		if f.Match(s.names[k.name]) {
			sum.Failures += c
			reasons[k.reason] += c
		}
	}
	sum.FailuresByReason = rows(reasons)
	ended := map[string]int{}
	for k, c := range s.ended {
		if f.Match(s.names[k.name]) {
			ended[k.reason] += c
		}
	}
	sum.Ended = rows(ended)
	return sum
}

// ByHost counts the open sessions that pass f by client host ("[local]"
// for a Unix socket; "unknown" when the log did not say).
func (s *State) ByHost(f Filter) []Row {
	m := map[string]int{}
	for _, ss := range s.sessions {
		if n := s.names[ss.name]; f.Match(n) {
			h := ss.host
			if h == "" {
				h = Unknown
			}
			m[h]++
		}
	}
	for _, list := range s.anon {
		for _, a := range list {
			if f.Match(s.names[a.name]) {
				m[Unknown]++
			}
		}
	}
	return rows(m)
}

// rows sorts counts descending, then by name, with Unknown last.
func rows(m map[string]int) []Row {
	out := make([]Row, 0, len(m))
	for k, v := range m {
		out = append(out, Row{k, v})
	}
	slices.SortFunc(out, func(a, b Row) int { return rowOrder(a.Name, a.Count, b.Name, b.Count) })
	return out
}

// rowOrder is the order of every listing: count descending, then name,
// with Unknown and then Other (the folded names) last.
func rowOrder(aName string, aCount int, bName string, bCount int) int {
	if c := cmp.Compare(lastRank(aName), lastRank(bName)); c != 0 {
		return c
	}
	if c := cmp.Compare(bCount, aCount); c != 0 {
		return c
	}
	return cmp.Compare(aName, bName)
}

// History is the timeline of the last Window, in Bucket steps, ending at
// the newest time stamp read.
type History struct {
	Window, Bucket time.Duration
	HasTime        bool // false: the log has no time stamps
	Connects       int  // inside the window
	Disconnects    int  // inside the window
	Rows           []HistoryRow
}

// A HistoryRow is one bucket: its start and the active count at its end.
type HistoryRow struct {
	Start  time.Time
	Active int
	Change int  // from the row above; 0 for the first row
	Leak   bool // the count rose in each of the last three buckets
}

// History returns the timeline for sessions that pass f. Buckets are
// aligned to the log's wall clock; bucket must be a multiple of the
// resolution and window at most the retention, else they are rounded.
func (s *State) History(f Filter, window, bucket time.Duration) History {
	h := History{Window: window, Bucket: bucket, HasTime: s.hasTime}
	if !s.hasTime {
		return h
	}
	per := int64(bucket/time.Second) / s.res // slots per bucket
	if per < 1 {
		per = 1
	}
	n := int64((window + bucket - 1) / bucket)
	if n < 1 {
		n = 1
	}
	// Buckets are aligned to the wall clock of the newest time stamp's
	// zone; slots are instants (see slot), placed by their wall time in
	// that zone.
	width := per * s.res // seconds per bucket
	_, zoff := s.newest.Zone()
	off := int64(zoff)
	last := s.newest.Unix() + off
	lastStart := last - floorMod(last, width)
	first := lastStart - (n-1)*width
	end := lastStart + width

	active := 0
	for i, nm := range s.names {
		if f.Match(nm) {
			active += s.tally[i].active
		}
	}
	// after[b] sums the net change of slots at or after bucket b's end.
	net := make([]int, n)
	later := 0 // changes after the window (none, but time stamps may step back)
	for k, m := range s.slots {
		w := k*s.res + off // the slot's start on the wall clock
		if w < first {
			continue
		}
		for i, d := range m {
			if !f.Match(s.names[i]) {
				continue
			}
			if w >= end {
				later += int(d.net)
				continue
			}
			b := (w - first) / width
			net[b] += int(d.net)
			h.Connects += int(d.connects)
			h.Disconnects += int(d.disconnects)
		}
	}
	loc := s.newest.Location()
	cur := active - later
	h.Rows = make([]HistoryRow, n)
	for b := n - 1; b >= 0; b-- {
		start := first + b*width
		h.Rows[b] = HistoryRow{Start: time.Unix(start-off, 0).In(loc), Active: cur}
		cur -= net[b]
	}
	rises := 0
	for b := 1; b < len(h.Rows); b++ {
		r := &h.Rows[b]
		r.Change = r.Active - h.Rows[b-1].Active
		if r.Change > 0 {
			rises++
		} else {
			rises = 0
		}
		r.Leak = rises >= 3
	}
	return h
}

func floorMod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

func lastRank(name string) int {
	switch name {
	case Unknown:
		return 1
	case Other:
		return 2
	}
	return 0
}
