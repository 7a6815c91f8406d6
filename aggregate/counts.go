package aggregate

import (
	"maps"
	"slices"
	"time"
)

// The counts a metrics exporter reads: by full name, server resets by
// reason, and session times in fixed buckets. Like the other views they
// are read from the state, never counted beside it, so they always agree
// with Summary.

// SessionTimeBounds are the upper bounds of the fixed session-time
// buckets (sketch.Upto): from a connection pooler's probe to a day.
var SessionTimeBounds = []time.Duration{
	10 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond, 500 * time.Millisecond,
	time.Second, 5 * time.Second, 10 * time.Second, 30 * time.Second,
	time.Minute, 5 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 4 * time.Hour, 8 * time.Hour, 24 * time.Hour,
}

// uptoIndex returns the index of the first bound of at least ms
// milliseconds, or len(SessionTimeBounds).
func uptoIndex(ms int64) int {
	i, _ := slices.BinarySearch(SessionTimeBounds, time.Duration(ms)*time.Millisecond)
	return i
}

// NameCounts are the counts of one database, user and application.
type NameCounts struct {
	Names
	Active, Connects, Disconnects int
}

// ByName returns the counts of every name that passes f and has had a
// session (connected or disconnected), in the order names were first
// seen. Active is never negative, as in Summary.
func (s *State) ByName(f Filter) []NameCounts {
	var out []NameCounts
	for i, n := range s.names {
		t := s.tally[i]
		if !f.Match(n) || t.connects == 0 && t.disconnects == 0 && t.active <= 0 {
			continue
		}
		out = append(out, NameCounts{Names: n, Active: max(t.active, 0), Connects: t.connects, Disconnects: t.disconnects})
	}
	return out
}

func (s *State) countReset(reason string) {
	if s.resets == nil {
		s.resets = map[string]int{}
	}
	s.resets[reason]++
}

// Resets returns the server resets read (restarts, shutdowns, crashes) by
// reason.
func (s *State) Resets() map[string]int {
	m := maps.Clone(s.resets)
	if m == nil {
		m = map[string]int{}
	}
	return m
}

// SessionTimes returns the session times of the disconnections of the
// sessions that pass f: their count, their sum, and in upto[i] how many
// were at most SessionTimeBounds[i] (cumulative, as Prometheus has it).
func (s *State) SessionTimes(f Filter) (n int64, sum time.Duration, upto []int64) {
	upto = make([]int64, len(SessionTimeBounds))
	for name, k := range s.durs {
		if !f.Match(s.names[name]) {
			continue
		}
		n += k.N
		sum += time.Duration(k.Sum) * time.Millisecond
		for i, c := range k.Upto {
			upto[i] += c
		}
	}
	for i := 1; i < len(upto); i++ {
		upto[i] += upto[i-1]
	}
	return n, sum, upto
}
