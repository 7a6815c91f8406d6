// Package aggregate keeps the single-pass state of connection tracking:
// open sessions, totals, failures and a timeline of changes. It is pure:
// no I/O, no wall clock, no goroutines. Time comes only from the events.
package aggregate

import (
	"math"
	"strings"
	"time"

	"github.com/pgtail/pgtail/parse"
)

// Unknown stands for an absent name (most often an application name the
// client did not send).
const Unknown = "unknown"

// Names identify who holds a session.
type Names struct {
	DB   string `json:"db"`
	User string `json:"user"`
	App  string `json:"app"`
}

// Config sets the timeline's resolution and how long it is kept.
type Config struct {
	// Resolution is the size of a timeline slot; history buckets must be
	// multiples of it. Default one minute.
	Resolution time.Duration
	// Retention is how far back from the newest time stamp slots are
	// kept: the longest history window that can be shown. Default 24h.
	Retention time.Duration
}

// State is the tracker. The zero value is not ready; use New.
type State struct {
	cfg   Config
	res   int64 // resolution in seconds
	names []Names
	index map[Names]int32
	tally []tally // by name index
	// The names name was last asked for, and their index.
	lastNames Names
	lastName  int32
	hasLast   bool
	values    [3]map[string]struct{} // the databases, users and applications in names
	cells     int                    // (slot, name) cells in slots

	sessions map[backend]session         // open sessions by backend
	anon     map[[2]string][]anonSession // sessions without PIDs, by database and user
	pending  map[backend]origin          // "connection received", waiting for its session
	failures map[reasonKey]int
	ended    map[reasonKey]int // sessions a server reset ended, by name and reset reason

	slots   map[int64]map[int32]*delta // timeline: slot of the instant (Unix time / resolution) → changes by name
	cur     map[int32]*delta           // the slot last changed; nil when unknown
	curFrom int64                      // where cur's slot starts, in Unix seconds
	curCell *delta                     // cur's cell of curName, the names last changed; nil when unknown
	curName int32
	newest  time.Time
	oldest  int64 // slots before this are gone
	hasTime bool
	noPID   bool
	// origin is the first server an event named (Event.Origin); origins
	// is set once a second one appears: only then does a Reset end the
	// sessions of its own server alone.
	origin  string
	origins bool
	// The names of the origins of backends (backend.origin), by index;
	// 0 is the empty one.
	origNames  []string
	origIndex  map[string]int
	lastOrig   string // the origin last looked up, and its index
	lastOrigIx int
	events     int
	resetEnd   int            // sessions ended by a server reset
	resets     map[string]int // server resets by reason (counts.go)
	replaced   int            // sessions ended by PID reuse without a disconnection line

	peak      peakCurve            // exact peak of open sessions (peak.go)
	durs      map[int32]*sketch    // session times by name (durations.go)
	failTable map[failKey]failStat // failures by reason and who (failures.go)
	lostKeys  map[string]failKey   // by reset reason: built once, not per reset
}

type tally struct {
	active, connects, disconnects int
}

type delta struct {
	connects, disconnects, net int32
}

type session struct {
	name  int32
	start time.Time // where its connect went on the timeline
	host  string
	seq   int64 // its connect step on the peak curve
	// carried: open before a clear, whose connect is not counted (Cleared)
	carried bool
}

// An anonSession is a session of a log without PIDs: only its names and
// its step in the peak curve are known.
type anonSession struct {
	name    int32
	seq     int64
	start   time.Time // where its connect went on the timeline
	carried bool      // as in session
}

type origin struct {
	host, port string
}

// A backend is a server process: its PID, and the server it runs on
// when the log comes from several (Event.Origin: a pod, a host), by its
// index in State.origNames; packed in one uint64 (origin << 32 | PID), the
// key of every session lookup, which the runtime hashes fastest.
type backend uint64

func (s *State) backendOf(ev *parse.Event) backend {
	return backendAt(s.originIndex(ev.Origin), ev.PID)
}

// backendAt packs an origin index and a PID into one key.
func backendAt(origin, pid int) backend {
	return backend(uint64(origin)<<32 | uint64(uint32(pid)))
}

func (b backend) origin() int { return int(b >> 32) }
func (b backend) pid() int    { return int(b & math.MaxUint32) }

// originIndex returns the index of an origin name in s.origNames, adding
// it if it is new; the empty name (one server) is 0.
func (s *State) originIndex(name string) int {
	if name == "" {
		return 0
	}
	if name == s.lastOrig {
		return s.lastOrigIx
	}
	i, ok := s.origIndex[name]
	if !ok {
		i = len(s.origNames)
		s.origNames = append(s.origNames, name)
		s.origIndex[name] = i
	}
	s.lastOrig, s.lastOrigIx = name, i
	return i
}

// A reasonKey counts failures by name and reason, for Summary.
type reasonKey struct {
	name   int32
	reason string
}

// Names are chosen by clients: a flood of distinct names must cost
// bounded memory. Past these caps a new name is counted as Other: first
// only its database, user or application (whichever dimension is full),
// then, when the (database, user, application) table is full, all three.
// A name that fits is counted exactly, and stays exact.
const (
	maxValues    = 1 << 10 // distinct databases, users and applications, each
	maxNames     = 1 << 12 // distinct (database, user, application)
	maxSlotCells = 1 << 17 // timeline cells (slot, name); past it, (slot, Other)
	maxFailNames = 1 << 12 // (name, reason) failure counts; past it, (Other, Other)
)

// maxPID is the largest PID a backend is kept by (backend): PostgreSQL
// prints its PID as a C int, so one past 32 bits, or a negative one, is
// none (Apply reads it as no PID).
const maxPID = math.MaxUint32

// maxPending bounds the "connection received" lines kept while waiting
// for their session; probes and cancel requests never get one.
const maxPending = 1 << 16

// New returns an empty tracker.
func New(cfg Config) *State {
	if cfg.Resolution <= 0 {
		cfg.Resolution = time.Minute
	}
	if cfg.Resolution < time.Second {
		cfg.Resolution = time.Second
	}
	if cfg.Retention <= 0 {
		cfg.Retention = 24 * time.Hour
	}
	return &State{
		cfg:       cfg,
		res:       int64(cfg.Resolution / time.Second),
		index:     map[Names]int32{},
		sessions:  map[backend]session{},
		anon:      map[[2]string][]anonSession{},
		pending:   map[backend]origin{},
		origNames: []string{""},
		origIndex: map[string]int{},
		failures:  map[reasonKey]int{},
		ended:     map[reasonKey]int{},
		slots:     map[int64]map[int32]*delta{},
		values:    [3]map[string]struct{}{{}, {}, {}},

		durs:      map[int32]*sketch{},
		failTable: map[failKey]failStat{},
	}
}

// Config returns the resolution and retention the state keeps (those of
// the run that recorded it, for a state read back from a record).
func (s *State) Config() Config { return s.cfg }

// An Outcome tells what an event did to the state, for live display.
type Outcome struct {
	// Event is the applied event, with the application name and host of
	// its session filled in where the line itself did not carry them
	// (Apply fills them in the event it is given).
	Event *parse.Event
	// Ended counts the sessions a Reset ended.
	Ended int
	// Retracted is set when a Failure withdrew the session of its own
	// "connection authorized" line; RetractedAt is when that session's
	// connect was counted (zero without time stamps).
	Retracted   bool
	RetractedAt time.Time
	// Unknown is set for a Disconnect of a session never seen connecting.
	Unknown bool
}

// NamesOf returns the names an event is counted under: Unknown for each
// one the log did not give. Filters match these.
func NamesOf(ev *parse.Event) Names {
	return Names{orUnknown(ev.DB), orUnknown(ev.User), orUnknown(ev.App)}
}

func orUnknown(s string) string {
	if s == "" {
		return Unknown
	}
	return s
}

// name returns the index of n, as NamesOf gives it. A name's index never
// changes, so the last one is kept: a busy log repeats its names.
func (s *State) name(n Names) int32 {
	if s.hasLast && n == s.lastNames {
		return s.lastName
	}
	i := s.lookupName(n)
	s.lastNames, s.lastName, s.hasLast = n, i, true
	return i
}

func (s *State) lookupName(n Names) int32 {
	if i, ok := s.index[n]; ok {
		return i
	}
	n = s.fold(n)
	if i, ok := s.index[n]; ok {
		return i
	}
	if len(s.names) >= maxNames {
		return s.other()
	}
	i := int32(len(s.names))
	s.names = append(s.names, n)
	s.tally = append(s.tally, tally{})
	s.index[n] = i
	return i
}

// fold replaces each name of a full dimension that is not in it yet by
// Other, and adds the others.
func (s *State) fold(n Names) Names {
	for d, v := range []*string{&n.DB, &n.User, &n.App} {
		if _, ok := s.values[d][*v]; ok {
			continue
		}
		if len(s.values[d]) >= maxValues {
			*v = Other
			continue
		}
		s.values[d][*v] = struct{}{}
	}
	return n
}

// other is the name that counts what no longer fits.
func (s *State) other() int32 {
	n := Names{Other, Other, Other}
	if i, ok := s.index[n]; ok {
		return i
	}
	i := int32(len(s.names))
	s.names = append(s.names, n)
	s.tally = append(s.tally, tally{})
	s.index[n] = i
	return i
}

// Apply adds one event to the state. It fills in the event's application
// name, host and port from its session where the line did not carry them.
func (s *State) Apply(ev *parse.Event) Outcome {
	if ev.PID < 0 || ev.PID > maxPID {
		ev.PID = 0 // not a PID the server prints (an int): none
	}
	out := Outcome{Event: ev}
	switch ev.Kind {
	case parse.Connect, parse.Disconnect, parse.Failure:
		s.events++
	}
	s.clock(ev.Time)
	if ev.Origin != s.origin && ev.Origin != "" {
		if s.origin == "" {
			s.origin = ev.Origin
		} else {
			s.origins = true
		}
	}
	s.peak.start(ev.Time)
	switch ev.Kind {
	case parse.Received:
		if b := s.backendOf(ev); ev.PID != 0 {
			if _, ok := s.sessions[b]; ok {
				// A new connection on this PID: the old backend is gone.
				s.end(b, ev.Time)
				s.replaced++
			}
			if len(s.pending) >= maxPending {
				clear(s.pending)
			}
			s.pending[b] = origin{ev.Host, ev.Port}
		}
	case parse.Connect:
		s.connect(&out)
	case parse.Disconnect:
		s.disconnect(&out)
	case parse.Failure:
		s.failure(&out)
	case parse.Reset:
		lost := s.lostKey(ev.Reason)
		if s.origins {
			s.resetOrigin(&out, lost)
			break
		}
		out.Ended = len(s.sessions)
		for b, ss := range s.sessions {
			s.lost(lost, ss.name, ss.host, ev.Time)
			s.end(b, ev.Time)
		}
		for k, list := range s.anon {
			for _, a := range list {
				n := a.name
				s.lost(lost, n, "", ev.Time)
				s.tally[n].active--
				s.add(ev.Time, n, delta{net: -1})
				out.Ended++
			}
			delete(s.anon, k)
		}
		s.peak.reset(ev.Time)
		s.countReset(ev.Reason)
		s.resetEnd += out.Ended
		clear(s.pending)
	}
	return out
}

// resetOrigin ends the sessions of one server of a log of several (the
// Reset's origin): the others, their pending connections and the peak
// curve go on.
func (s *State) resetOrigin(out *Outcome, lost failKey) {
	ev := out.Event
	origin := s.originIndex(ev.Origin)
	for b, ss := range s.sessions {
		if b.origin() == origin {
			s.lost(lost, ss.name, ss.host, ev.Time)
			s.end(b, ev.Time)
			out.Ended++
		}
	}
	for b := range s.pending {
		if b.origin() == origin {
			delete(s.pending, b)
		}
	}
	s.resetEnd += out.Ended
}

func (s *State) connect(out *Outcome) {
	ev := out.Event
	b := s.backendOf(ev)
	if ev.PID != 0 {
		o, received := s.claimPending(ev, b)
		if received && ev.Port == "" {
			ev.Port = o.port
		}
		// A "connection received" ended any session of its PID (Apply),
		// and only a connect starts one: after one, there is none.
		if !received {
			if _, ok := s.sessions[b]; ok {
				s.end(b, ev.Time) // PID reuse: the new session replaces the old
				s.replaced++
			}
		}
	}
	n := s.name(NamesOf(ev))
	if ev.App == "" {
		ev.App = Unknown
	}
	t := &s.tally[n]
	t.connects++
	t.active++
	s.add(ev.Time, n, delta{connects: 1, net: 1})
	seq := s.peak.step(ev.Time, +1)
	if ev.PID == 0 {
		s.noPID = true
		k := [2]string{ev.DB, ev.User}
		s.anon[k] = append(s.anon[k], anonSession{name: n, seq: seq, start: s.stamp(ev.Time)})
		return
	}
	s.sessions[b] = session{name: n, start: s.stamp(ev.Time), host: ev.Host, seq: seq}
}

func (s *State) disconnect(out *Outcome) {
	ev := out.Event
	b := s.backendOf(ev)
	if ev.PID == 0 {
		k := [2]string{ev.DB, ev.User}
		if list := s.anon[k]; len(list) > 0 {
			n := list[0].name
			s.anon[k] = list[1:]
			if len(s.anon[k]) == 0 {
				delete(s.anon, k)
			}
			s.close(n, ev)
			return
		}
	} else if ss, ok := s.sessions[b]; ok {
		delete(s.sessions, b)
		if ev.Host == "" {
			ev.Host = ss.host
		}
		s.close(ss.name, ev)
		return
	}
	// Never seen connecting: counted, but the active count is left alone.
	// It was open over [now − session time, now]: the peak counts it.
	out.Unknown = true
	n := s.name(NamesOf(ev))
	ev.App = s.names[n].App
	s.tally[n].disconnects++
	s.add(ev.Time, n, delta{disconnects: 1})
	s.peak.since(ev.Time, ev.Duration)
	s.addDuration(n, ev.Duration)
}

func (s *State) close(n int32, ev *parse.Event) {
	ev.App = s.names[n].App
	t := &s.tally[n]
	t.disconnects++
	t.active--
	s.add(ev.Time, n, delta{disconnects: 1, net: -1})
	s.peak.step(ev.Time, -1)
	s.addDuration(n, ev.Duration)
}

// claimPending takes the "connection received" of ev's backend b, if
// one is waiting, and fills ev's host from it.
func (s *State) claimPending(ev *parse.Event, b backend) (origin, bool) {
	o, ok := s.pending[b]
	if ok {
		delete(s.pending, b)
		if ev.Host == "" {
			ev.Host = o.host
		}
	}
	return o, ok
}

func (s *State) failure(out *Outcome) {
	ev := out.Event
	b := s.backendOf(ev)
	if ev.PID != 0 {
		s.claimPending(ev, b)
	}
	n := int32(-1)
	if ss, ok := s.sessions[b]; ok && ev.PID != 0 {
		delete(s.sessions, b)
		if ev.AfterAuth && !ss.carried {
			// Refused after "connection authorized": never a session.
			n = ss.name
			s.withdraw(out, n, ss.start, ss.seq)
			if ev.Host == "" {
				ev.Host = ss.host
			}
		} else {
			s.tally[ss.name].active--
			s.add(ev.Time, ss.name, delta{net: -1})
			s.peak.step(ev.Time, -1)
			if !ss.carried {
				s.replaced++
			}
		}
	}
	if ev.PID == 0 && ev.AfterAuth {
		// No PID in the log: withdraw the newest session this refusal can
		// be: of the same database and user, as far as the line names
		// them (a prefix without %u/%d leaves only the message's name).
		if a, ok := s.refused(ev.DB, ev.User); ok {
			n = a.name
			if a.carried { // its connect was before a clear: it just ends
				s.tally[n].active--
				s.add(ev.Time, n, delta{net: -1})
				s.peak.step(ev.Time, -1)
			} else {
				s.withdraw(out, n, a.start, a.seq)
			}
		}
	}
	if n < 0 {
		n = s.name(NamesOf(ev))
	}
	ev.App = s.names[n].App
	fk := reasonKey{n, ev.Reason}
	if _, ok := s.failures[fk]; !ok && len(s.failures) >= maxFailNames {
		fk = reasonKey{s.other(), Other} // the reason names a database or role
	}
	s.failures[fk]++
	nm := s.names[n]
	s.recordFailure(failKey{Reason: ev.Reason, Cause: ev.Cause, Category: ev.Category, User: nm.User, DB: nm.DB, App: nm.App, Host: ev.Host}, ev.Time)
}

// withdraw takes back the connect of a session that a refusal after
// "connection authorized" shows never opened: from the totals, from the
// timeline where its connect was counted (start), and from the peak
// (its connect step seq).
func (s *State) withdraw(out *Outcome, n int32, start time.Time, seq int64) {
	t := &s.tally[n]
	t.connects--
	t.active--
	s.record(start, n, delta{connects: -1})
	s.add(out.Event.Time, n, delta{net: -1})
	s.peak.retract(seq)
	out.Retracted, out.RetractedAt = true, start
}

// refused removes and returns the newest session without a PID whose
// database and user match db and user; an empty one matches any.
func (s *State) refused(db, user string) (anonSession, bool) {
	var best [2]string
	found := false
	if db != "" && user != "" {
		best, found = [2]string{db, user}, len(s.anon[[2]string{db, user}]) > 0
	} else {
		var seq int64
		for k, list := range s.anon {
			if (db == "" || k[0] == db) && (user == "" || k[1] == user) {
				if a := list[len(list)-1]; !found || a.seq > seq {
					best, seq, found = k, a.seq, true
				}
			}
		}
	}
	if !found {
		return anonSession{}, false
	}
	list := s.anon[best]
	a := list[len(list)-1]
	if s.anon[best] = list[:len(list)-1]; len(s.anon[best]) == 0 {
		delete(s.anon, best)
	}
	return a, true
}

// lost records a session ended by a server reset, without a disconnection.
func (s *State) lost(k failKey, n int32, host string, t time.Time) {
	s.ended[reasonKey{n, strings.TrimPrefix(k.Category, lostCategory)}]++
	nm := s.names[n]
	k.User, k.DB, k.App, k.Host = nm.User, nm.DB, nm.App, host
	s.recordFailure(k, t)
}

// end closes a session without a disconnection line.
func (s *State) end(b backend, t time.Time) {
	ss := s.sessions[b]
	delete(s.sessions, b)
	s.tally[ss.name].active--
	s.add(t, ss.name, delta{net: -1})
	s.peak.step(t, -1)
}

// clock advances the newest time stamp and drops slots past retention.
func (s *State) clock(t time.Time) {
	if t.IsZero() {
		return
	}
	if s.hasTime && !t.After(s.newest) {
		return
	}
	s.newest, s.hasTime = t, true
	keep := int64(s.cfg.Retention/time.Second)/s.res + 1
	// Prune in steps of a sixteenth of the retention, not every slot.
	if oldest := s.slot(t) - keep; oldest > s.oldest+keep/16 {
		s.oldest = oldest
		for k, m := range s.slots {
			if k < oldest {
				s.cells -= len(m)
				delete(s.slots, k)
				if k*s.res == s.curFrom {
					s.cur, s.curCell = nil, nil
				}
			}
		}
	}
}

// slot returns the timeline slot of the instant t. Slots are keyed by
// instant, not by wall clock: at the end of DST, 02:10 CET comes after
// 02:50 CEST. History aligns its buckets to the log's clock.
func (s *State) slot(t time.Time) int64 {
	u := t.Unix()
	return (u - floorMod(u, s.res)) / s.res
}

// stamp returns where a change at t goes on the timeline. The timeline
// follows the log's clock, which never runs back: a line without a time
// stamp, or stamped earlier than one already read (processes interleave;
// an unknown zone repeats an hour when DST ends), counts at the newest
// time read so far. So a session never ends before it starts on the
// timeline, and no history row drops below zero.
func (s *State) stamp(t time.Time) time.Time {
	if !s.hasTime {
		return time.Time{}
	}
	if t.IsZero() || t.Before(s.newest) {
		return s.newest
	}
	return t
}

func (s *State) add(t time.Time, n int32, d delta) {
	s.record(s.stamp(t), n, d)
}

// record adds d at t exactly; a zero t is not on the timeline.
func (s *State) record(t time.Time, n int32, d delta) {
	if t.IsZero() {
		return
	}
	// Most changes go to the newest slot, and on a busy log to the cell
	// of the names changed last: neither is looked up (nor divided for)
	// again.
	if u := t.Unix(); s.cur == nil || u < s.curFrom || u-s.curFrom >= s.res {
		k := s.slot(t)
		if k < s.oldest {
			return
		}
		m := s.slots[k]
		if m == nil {
			m = map[int32]*delta{}
			s.slots[k] = m
		}
		s.cur, s.curFrom, s.curCell = m, k*s.res, nil
	}
	p := s.curCell
	if p == nil || n != s.curName {
		p = s.cell(s.cur, n)
		s.curCell, s.curName = p, n
	}
	p.connects += d.connects
	p.disconnects += d.disconnects
	p.net += d.net
}

// cell returns the changes of name n in slot m, added if new: those of
// Other past maxSlotCells.
func (s *State) cell(m map[int32]*delta, n int32) *delta {
	p := m[n]
	if p == nil && s.cells >= maxSlotCells {
		n = s.other()
		p = m[n]
	}
	if p == nil {
		p = &delta{}
		m[n] = p
		s.cells++
	}
	return p
}
