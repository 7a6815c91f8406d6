package aggregate

import (
	"cmp"
	"slices"
	"time"

	"github.com/pgtail/pgtail/parse"
)

// A failKey says what failed, for whom and from where: the failure's
// short reason, category and cause as parse classified them (see
// parse.Event). Its fields are exported for the recorded state.
type failKey struct {
	Reason, Cause string
	User, DB, App string
	Host          string
	Lost          bool // a session ended by a server reset, not a refusal
	Category      string
}

// lostCategory starts the category of the sessions a server reset ended:
// lost_in_shutdown, lost_in_crash, lost_in_restart.
const lostCategory = "lost_in_"

// lostKey returns the key of the sessions a reset for reason ended.
func (s *State) lostKey(reason string) failKey {
	k, ok := s.lostKeys[reason]
	if !ok {
		if s.lostKeys == nil {
			s.lostKeys = map[string]failKey{}
		}
		k = failKey{Reason: "server " + reason, Category: lostCategory + reason, Lost: true}
		s.lostKeys[reason] = k
	}
	return k
}

// A failStat counts one failKey.
type failStat struct {
	Count       int
	First, Last time.Time // zero without time stamps
}

// maxFailKeys bounds the failure table: past it, new combinations are
// counted under user, database, application and host "(other)", so a
// password-guessing storm from many addresses cannot grow memory.
const maxFailKeys = 1 << 12

// maxFoldedReasons bounds the folded rows that keep their reason.
const maxFoldedReasons = 1 << 6

// Other names the folded rows of a full failure table.
const Other = "(other)"

func (s *State) recordFailure(k failKey, t time.Time) {
	st, ok := s.failTable[k]
	if !ok && len(s.failTable) >= maxFailKeys {
		k.User, k.DB, k.App, k.Host = Other, Other, Other, Other
		st, ok = s.failTable[k]
		// Reasons and causes name databases and roles too: a few folded
		// rows keep theirs, then they are Other as well.
		if !ok && len(s.failTable) >= maxFailKeys+maxFoldedReasons {
			k.Reason, k.Cause = Other, ""
			st = s.failTable[k]
		}
	}
	st.Count++
	if !t.IsZero() {
		if st.First.IsZero() || t.Before(st.First) {
			st.First = t
		}
		if t.After(st.Last) {
			st.Last = t
		}
	}
	s.failTable[k] = st
}

// A FailRow is one line of the failure table.
type FailRow struct {
	Category, Reason, Cause string // see parse.Event
	User, DB, App, Host     string
	Lost                    bool // a session ended by a server reset, not a refusal
	Count                   int
	First, Last             time.Time // zero without time stamps
}

// FailureTable returns the failures (and, with Lost set, the sessions
// ended by a server reset) that pass f: most frequent first.
func (s *State) FailureTable(f Filter) []FailRow {
	var out []FailRow
	for k, st := range s.failTable {
		if !f.Match(Names{k.DB, k.User, k.App}) {
			continue
		}
		out = append(out, FailRow{k.Category, k.Reason, k.Cause, k.User, k.DB, k.App, k.Host, k.Lost, st.Count, st.First, st.Last})
	}
	slices.SortFunc(out, func(a, b FailRow) int {
		return cmp.Or(
			cmp.Compare(b.Count, a.Count),
			cmp.Compare(a.Reason, b.Reason),
			cmp.Compare(a.Cause, b.Cause),
			cmp.Compare(a.User, b.User),
			cmp.Compare(a.DB, b.DB),
			cmp.Compare(a.App, b.App),
			cmp.Compare(a.Host, b.Host),
			func() int {
				if a.Lost == b.Lost {
					return 0
				}
				if a.Lost {
					return 1
				}
				return -1
			}(),
		)
	})
	return out
}

// Saturation counts the refusals that mean every connection slot was
// taken ("sorry, too many clients already": parse.TooManyConnections).
type Saturation struct {
	Count       int
	First, Last time.Time
}

// Saturation returns when the server ran out of connection slots.
func (s *State) Saturation() Saturation {
	var sat Saturation
	for k, st := range s.failTable {
		if k.Lost || k.Category != parse.TooManyConnections {
			continue
		}
		sat.Count += st.Count
		if !st.First.IsZero() && (sat.First.IsZero() || st.First.Before(sat.First)) {
			sat.First = st.First
		}
		if st.Last.After(sat.Last) {
			sat.Last = st.Last
		}
	}
	return sat
}
