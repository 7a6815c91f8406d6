package aggregate

import (
	"maps"
	"slices"
)

// Cleared returns the state after `pgtail connections clear`: every
// statistic starts again from zero (totals, failures, history, session
// times, the peak), but the sessions still open stay open: they are a
// fact about the server, not a statistic. The peak starts at their count,
// at the newest time stamp read.
func (s *State) Cleared() *State {
	n := New(s.cfg)
	n.newest, n.hasTime, n.noPID, n.oldest = s.newest, s.hasTime, s.noPID, s.oldest
	n.origNames, n.origIndex = slices.Clone(s.origNames), maps.Clone(s.origIndex) // the keys below index them
	for pid, o := range s.pending {
		n.pending[pid] = o
	}
	keep := func(name int32) (int32, int64) {
		i := n.name(s.names[name])
		n.tally[i].active++
		n.events++ // seen, and still open: not "no connection data"
		return i, n.peak.step(s.newest, +1)
	}
	for pid, ss := range s.sessions {
		i, seq := keep(ss.name)
		// No start: its connect is before the clear, off the new timeline.
		n.sessions[pid] = session{name: i, host: ss.host, seq: seq, carried: true}
	}
	for k, list := range s.anon {
		for _, a := range list {
			i, seq := keep(a.name)
			n.anon[k] = append(n.anon[k], anonSession{name: i, seq: seq, carried: true})
		}
	}
	return n
}
