package aggregate

import (
	"math"
	"math/bits"
	"slices"
	"time"
)

// Session times come from "disconnection: session time: H:MM:SS.mmm"
// lines, in milliseconds. They are kept in a log-linear histogram (as
// HdrHistogram does): times under 128 ms each have their own bucket and
// are exact; above, every power of two is cut into 64 buckets. A
// quantile is reported as the middle of its bucket, so it is within
// 1/128 (0.8 %) of the true value (nearest rank), and never outside
// [min, max], which are exact. Memory is at most 64 buckets per power of
// two of the longest session: under 2,000 counters for a session of a
// year, per name, whatever the number of sessions.

// sketchSub is the number of buckets per power of two above sketchExact.
const (
	sketchBits  = 6
	sketchSub   = 1 << sketchBits // 64
	sketchExact = 2 * sketchSub   // 128: below, one bucket per millisecond
)

// RelErr is the bound on a reported quantile's relative error.
const RelErr = 1.0 / sketchExact

// A sketch is a histogram of session times. Plain data.
type sketch struct {
	Counts map[int32]int64 // bucket → sessions
	// Upto counts the sessions of at most SessionTimeBounds[i] and more
	// than the bound before, exactly (for Prometheus' fixed buckets).
	Upto          []int64 `json:"upto,omitempty"`
	N, Under1s    int64
	Min, Max, Sum int64 // milliseconds
}

func bucketOf(ms int64) int32 {
	if ms < sketchExact {
		return int32(ms)
	}
	e := bits.Len64(uint64(ms)) - (sketchBits + 1)
	return int32(e*sketchSub) + int32(ms>>e)
}

// bucketMid returns the middle of bucket i, in milliseconds.
func bucketMid(i int32) int64 {
	if i < sketchExact {
		return int64(i)
	}
	e := int(i)/sketchSub - 1
	m := int64(i)%sketchSub + sketchSub
	return m<<e + (int64(1)<<e)/2
}

// Add records one session time.
func (k *sketch) Add(d time.Duration) {
	ms := d.Milliseconds()
	if ms < 0 {
		ms = 0
	}
	if k.Counts == nil {
		k.Counts = map[int32]int64{}
	}
	k.Counts[bucketOf(ms)]++
	if i := uptoIndex(ms); i < len(SessionTimeBounds) {
		if k.Upto == nil {
			k.Upto = make([]int64, len(SessionTimeBounds))
		}
		k.Upto[i]++
	}
	if k.N == 0 || ms < k.Min {
		k.Min = ms
	}
	if ms > k.Max {
		k.Max = ms
	}
	k.N++
	k.Sum = addSat(k.Sum, ms)
	if ms < 1000 {
		k.Under1s++
	}
}

// addSat adds two non-negative counts, stopping at the largest int64:
// a sum of session times of millions of years does not turn negative.
func addSat(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// Merge adds o's sessions to k.
func (k *sketch) Merge(o sketch) {
	if o.N == 0 {
		return
	}
	if k.Counts == nil {
		k.Counts = map[int32]int64{}
	}
	for b, c := range o.Counts {
		k.Counts[b] += c
	}
	for i, c := range o.Upto {
		if k.Upto == nil {
			k.Upto = make([]int64, len(SessionTimeBounds))
		}
		k.Upto[i] += c
	}
	if k.N == 0 || o.Min < k.Min {
		k.Min = o.Min
	}
	k.Max = max(k.Max, o.Max)
	k.N += o.N
	k.Sum = addSat(k.Sum, o.Sum)
	k.Under1s += o.Under1s
}

// Quantile returns the session time of nearest rank ⌈q·N⌉ (q in [0, 1]),
// within RelErr.
func (k *sketch) Quantile(q float64) time.Duration {
	if k.N == 0 {
		return 0
	}
	rank := int64(math.Ceil(q * float64(k.N)))
	rank = min(max(rank, 1), k.N)
	if rank == 1 {
		return time.Duration(k.Min) * time.Millisecond
	}
	if rank == k.N {
		return time.Duration(k.Max) * time.Millisecond
	}
	keys := make([]int32, 0, len(k.Counts))
	for b := range k.Counts {
		keys = append(keys, b)
	}
	slices.Sort(keys)
	seen := int64(0)
	for _, b := range keys {
		seen += k.Counts[b]
		if seen >= rank {
			v := min(max(bucketMid(b), k.Min), k.Max)
			return time.Duration(v) * time.Millisecond
		}
	}
	return time.Duration(k.Max) * time.Millisecond
}

// DurationStats sum up session times.
type DurationStats struct {
	Sessions              int64
	Min, Median, P95, Max time.Duration
	Mean                  time.Duration
	Under1s               int64
	ShareUnder1s          float64 // Under1s / Sessions
	Name                  string  // application, in Durations.ByApp
}

func (k *sketch) stats(name string) DurationStats {
	st := DurationStats{Sessions: k.N, Name: name, Under1s: k.Under1s}
	if k.N == 0 {
		return st
	}
	st.Min = time.Duration(k.Min) * time.Millisecond
	st.Max = time.Duration(k.Max) * time.Millisecond
	st.Median = k.Quantile(0.5)
	st.P95 = k.Quantile(0.95)
	st.Mean = time.Duration(min(k.Sum/k.N, k.Max)) * time.Millisecond // a saturated Sum
	st.ShareUnder1s = float64(k.Under1s) / float64(k.N)
	return st
}

// Durations are the session-time statistics, overall and by application.
type Durations struct {
	All   DurationStats
	ByApp []DurationStats // most sessions first, then by name; "unknown" last
}

// Durations returns the session-time statistics of the disconnections
// of sessions that pass f.
func (s *State) Durations(f Filter) Durations {
	var all sketch
	apps := map[string]*sketch{}
	for n, k := range s.durs {
		nm := s.names[n]
		if !f.Match(nm) {
			continue
		}
		all.Merge(*k)
		a := apps[nm.App]
		if a == nil {
			a = &sketch{}
			apps[nm.App] = a
		}
		a.Merge(*k)
	}
	d := Durations{All: all.stats("")}
	for name, k := range apps {
		d.ByApp = append(d.ByApp, k.stats(name))
	}
	slices.SortFunc(d.ByApp, func(a, b DurationStats) int { return rowOrder(a.Name, int(a.Sessions), b.Name, int(b.Sessions)) })
	return d
}

func (s *State) addDuration(n int32, d time.Duration) {
	k := s.durs[n]
	if k == nil {
		k = &sketch{}
		s.durs[n] = k
	}
	k.Add(d)
}
