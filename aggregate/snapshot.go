package aggregate

import (
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/pgtail/pgtail/parse"
)

// snapshot is the serialisable form of a State: everything Summary and
// History need, and the open sessions. Its size grows with open
// sessions, distinct names and retained timeline slots, never with the
// number of events.
type snapshot struct {
	Resolution time.Duration `json:"resolution"`
	Retention  time.Duration `json:"retention"`
	Names      []Names       `json:"names"`
	Tally      [][3]int      `json:"tally"` // active, connects, disconnects by name
	Sessions   []snapSession `json:"sessions"`
	Failures   []snapFailure `json:"failures"`
	Slots      []snapSlot    `json:"slots"`
	// SlotsByInstant: slots are Unix time / resolution. Records written
	// before it keyed them by the wall clock of the newest time stamp.
	SlotsByInstant bool          `json:"slots_by_instant,omitempty"`
	Ended          []snapFailure `json:"ended,omitempty"` // sessions ended by a reset, by name and reason
	Newest         time.Time     `json:"newest,omitzero"`
	HasTime        bool          `json:"has_time"`
	NoPID          bool          `json:"no_pid"`
	Origin         string        `json:"origin,omitempty"`  // the first server named
	Origins        bool          `json:"origins,omitempty"` // more than one
	Events         int           `json:"events"`
	ResetEnded     int           `json:"reset_ended"`
	Replaced       int           `json:"replaced"`

	Peak      *peakCurve     `json:"peak,omitempty"`
	Durations []snapDuration `json:"durations,omitempty"`
	FailTable []snapFail     `json:"fail_table,omitempty"`
	Resets    map[string]int `json:"resets,omitempty"`
}

type snapDuration struct {
	Name   int32  `json:"name"`
	Sketch sketch `json:"sketch"`
}

type snapFail struct {
	Key  failKey  `json:"key"`
	Stat failStat `json:"stat"`
}

type snapSession struct {
	PID    int       `json:"pid"`
	Origin string    `json:"origin,omitempty"`
	Name   int32     `json:"name"`
	Start  time.Time `json:"start,omitzero"`
	Host   string    `json:"host,omitempty"`
	Seq    int64     `json:"seq,omitempty"`
}

type snapFailure struct {
	Name   int32  `json:"name"`
	Reason string `json:"reason"`
	Count  int    `json:"count"`
}

type snapSlot struct {
	Slot int64    `json:"slot"`
	Name int32    `json:"name"`
	D    [3]int32 `json:"d"` // connects, disconnects, net
}

// MarshalJSON writes the state for a later report (the recorded session).
func (s *State) MarshalJSON() ([]byte, error) {
	return json.Marshal(s.snapshot())
}

// A Snapshot is a copy of what the record keeps of a State, taken under
// whatever lock guards the State and encoded (MarshalJSON) without it: it
// shares nothing that Apply changes. Its cost is a copy of the bounded
// tables, far less than encoding them.
type Snapshot struct{ sn snapshot }

// Snapshot copies the state for the record.
func (s *State) Snapshot() Snapshot { return Snapshot{s.snapshot()} }

// MarshalJSON writes the snapshot as State.MarshalJSON writes the state.
func (sn Snapshot) MarshalJSON() ([]byte, error) { return json.Marshal(sn.sn) }

func (s *State) snapshot() snapshot {
	sn := snapshot{
		Resolution: s.cfg.Resolution, Retention: s.cfg.Retention,
		Names: slices.Clone(s.names), Newest: s.newest, HasTime: s.hasTime, NoPID: s.noPID, Origin: s.origin, Origins: s.origins,
		Events: s.events, ResetEnded: s.resetEnd, Replaced: s.replaced, Resets: maps.Clone(s.resets),
		Tally:    make([][3]int, len(s.tally)),
		Sessions: make([]snapSession, 0, len(s.sessions)),
		Failures: make([]snapFailure, 0, len(s.failures)),

		SlotsByInstant: true,
	}
	for i, t := range s.tally {
		sn.Tally[i] = [3]int{t.active, t.connects, t.disconnects}
	}
	for b, ss := range s.sessions {
		sn.Sessions = append(sn.Sessions, snapSession{b.pid(), s.origNames[b.origin()], ss.name, ss.start, ss.host, ss.seq})
	}
	for k, c := range s.failures {
		sn.Failures = append(sn.Failures, snapFailure{k.name, k.reason, c})
	}
	for k, c := range s.ended {
		sn.Ended = append(sn.Ended, snapFailure{k.name, k.reason, c})
	}
	for k, m := range s.slots {
		for n, d := range m {
			sn.Slots = append(sn.Slots, snapSlot{k, n, [3]int32{d.connects, d.disconnects, d.net}})
		}
	}
	peak := s.peak
	peak.Stair, peak.Tail = slices.Clone(peak.Stair), slices.Clone(peak.Tail)
	sn.Peak = &peak
	for n, k := range s.durs {
		c := *k
		c.Counts, c.Upto = maps.Clone(k.Counts), slices.Clone(k.Upto)
		sn.Durations = append(sn.Durations, snapDuration{n, c})
	}
	for k, st := range s.failTable {
		sn.FailTable = append(sn.FailTable, snapFail{k, st})
	}
	return sn
}

// UnmarshalJSON restores a state written by MarshalJSON. Sessions
// estimated without PIDs come back as counts only.
func (s *State) UnmarshalJSON(b []byte) error {
	var sn snapshot
	if err := json.Unmarshal(b, &sn); err != nil {
		return err
	}
	if len(sn.Tally) != len(sn.Names) {
		return errors.New("inconsistent record: names and counts differ")
	}
	*s = *New(Config{Resolution: sn.Resolution, Retention: sn.Retention})
	for i, n := range sn.Names {
		if _, dup := s.index[n]; dup {
			return errors.New("inconsistent record: a name is listed twice")
		}
		s.index[n] = int32(i)
		s.names = append(s.names, n)
		for d, v := range []string{n.DB, n.User, n.App} {
			s.values[d][v] = struct{}{}
		}
		t := sn.Tally[i]
		s.tally = append(s.tally, tally{active: t[0], connects: t[1], disconnects: t[2]})
	}
	valid := func(n int32) bool { return n >= 0 && int(n) < len(s.names) }
	for _, ss := range sn.Sessions {
		if !valid(ss.Name) {
			return errors.New("inconsistent record: unknown session name")
		}
		if ss.PID <= 0 || ss.PID > maxPID {
			return errors.New("inconsistent record: a session's PID is out of range")
		}
		s.sessions[backendAt(s.originIndex(ss.Origin), ss.PID)] = session{name: ss.Name, start: ss.Start, host: ss.Host, seq: ss.Seq}
	}
	for _, f := range sn.Failures {
		if !valid(f.Name) {
			return errors.New("inconsistent record: unknown failure name")
		}
		s.failures[reasonKey{f.Name, f.Reason}] += f.Count
	}
	for _, f := range sn.Ended {
		if !valid(f.Name) {
			return errors.New("inconsistent record: unknown ended name")
		}
		s.ended[reasonKey{f.Name, f.Reason}] += f.Count
	}
	shift := int64(0) // an older record's wall-clock slots, to instants
	if !sn.SlotsByInstant && s.res > 0 {
		_, off := sn.Newest.Zone()
		shift = int64(off) / s.res
	}
	for _, sl := range sn.Slots {
		if !valid(sl.Name) {
			return errors.New("inconsistent record: unknown slot name")
		}
		k := sl.Slot - shift
		m := s.slots[k]
		if m == nil {
			m = map[int32]*delta{}
			s.slots[k] = m
		}
		if m[sl.Name] == nil {
			s.cells++
		}
		m[sl.Name] = &delta{sl.D[0], sl.D[1], sl.D[2]}
	}
	if sn.Peak != nil {
		s.peak = *sn.Peak
	}
	for _, d := range sn.Durations {
		if !valid(d.Name) {
			return errors.New("inconsistent record: unknown duration name")
		}
		s.durs[d.Name] = &d.Sketch
	}
	for _, f := range sn.FailTable {
		if f.Key.Category == "" { // recorded before events carried it
			if f.Key.Lost {
				f.Key.Category = lostCategory + strings.TrimPrefix(f.Key.Reason, "server ")
			} else {
				f.Key.Category = parse.FailureCategory(f.Key.Reason)
			}
		}
		s.failTable[f.Key] = f.Stat
	}
	s.newest, s.hasTime, s.noPID = sn.Newest, sn.HasTime, sn.NoPID
	s.events, s.resetEnd, s.replaced, s.resets = sn.Events, sn.ResetEnded, sn.Replaced, sn.Resets
	s.origin, s.origins = sn.Origin, sn.Origins
	return nil
}
