package aggregate

import (
	"math/rand/v2"
	"testing"
	"time"
)

// refOp is one operation of a random curve, kept whole for the brute
// force reference.
type refOp struct {
	kind byte // 'c' connect, 'e' end, 'n' retract (refused), 'r' retroactive session, 'x' reset
	sess int  // session for c, e, n
	raw  time.Time
	dur  time.Duration // r
}

// refPeak computes the peak by brute force from the whole history, with
// the semantics documented in peak.go.
func refPeak(ops []refOp) (int, time.Time) {
	n := len(ops)
	T := make([]time.Time, n) // clamped times
	for i, op := range ops {
		T[i] = op.raw
		if i > 0 && T[i].Before(T[i-1]) {
			T[i] = T[i-1]
		}
	}
	type known struct{ c, e int }
	sess := map[int]*known{}
	refused := map[int]bool{}
	type retro struct {
		s       time.Time
		d       int
		fromIdx int // clipped at a reset: active from this event on
	}
	var retros []retro
	var lastReset time.Time
	hasReset, resetIdx := false, -1
	for i, op := range ops {
		switch op.kind {
		case 'c':
			sess[op.sess] = &known{c: i, e: n}
		case 'e':
			sess[op.sess].e = i
		case 'n':
			refused[op.sess] = true
		case 'x':
			for _, k := range sess {
				if k.e == n {
					k.e = i
				}
			}
			lastReset, hasReset, resetIdx = T[i], true, i
		case 'r':
			s := op.raw.Add(-op.dur)
			if hasReset && !s.After(lastReset) {
				retros = append(retros, retro{d: i, fromIdx: resetIdx})
			} else {
				retros = append(retros, retro{s: s, d: i, fromIdx: -2})
			}
		}
	}
	// count at a moment after event k (k = -1: before the first event) and at time t.
	count := func(k int, t time.Time) int {
		c := 0
		for id, s := range sess {
			if !refused[id] && s.c <= k && k < s.e {
				c++
			}
		}
		for _, r := range retros {
			if r.d <= k {
				continue
			}
			if r.fromIdx != -2 && k >= r.fromIdx || r.fromIdx == -2 && !r.s.After(t) {
				c++
			}
		}
		return c
	}
	best, bt := count(-1, T[0]), T[0]
	consider := func(c int, t time.Time) {
		if c > best || c == best && t.Before(bt) {
			best, bt = c, t
		}
	}
	for i := range ops {
		consider(count(i, T[i]), T[i])
	}
	for _, r := range retros {
		if r.fromIdx != -2 || !r.s.After(T[0]) {
			continue // the baseline moment covers it
		}
		k := 0
		for k+1 < n && T[k+1].Before(r.s) {
			k++
		}
		consider(count(k, r.s), r.s)
	}
	return best, bt
}

// play feeds ops to a curve the way State does.
func play(ops []refOp) Peak {
	var c peakCurve
	seqs := map[int]int64{}
	for _, op := range ops {
		switch op.kind {
		case 'c':
			seqs[op.sess] = c.step(op.raw, +1)
		case 'e':
			c.step(op.raw, -1)
		case 'n':
			c.start(op.raw)
			c.clock(op.raw)
			c.retract(seqs[op.sess])
		case 'x':
			c.reset(op.raw)
		case 'r':
			c.since(op.raw, op.dur)
		}
	}
	return c.peak()
}

func randomOps(r *rand.Rand, n int, preLog bool) []refOp {
	t0 := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	t := t0
	var ops []refOp
	var open []int
	lastConnect := -1 // index in ops of the newest connect still retractable
	next := 0
	for len(ops) < n {
		switch r.IntN(20) {
		case 0:
			t = t.Add(-time.Millisecond) // a time stamp that steps back
		case 1, 2, 3, 4, 5, 6:
		default:
			t = t.Add(time.Duration(r.IntN(3)) * time.Millisecond)
		}
		switch k := r.IntN(100); {
		case k < 40:
			next++
			open = append(open, next)
			ops = append(ops, refOp{kind: 'c', sess: next, raw: t})
			lastConnect = len(ops) - 1
		case k < 75 && len(open) > 0:
			i := r.IntN(len(open))
			ops = append(ops, refOp{kind: 'e', sess: open[i], raw: t})
			open = append(open[:i], open[i+1:]...)
		case k < 80 && lastConnect >= 0 && len(ops)-lastConnect < 5:
			// refused after "connection authorized", a few lines later
			id := ops[lastConnect].sess
			for i, s := range open {
				if s == id {
					open = append(open[:i], open[i+1:]...)
					ops = append(ops, refOp{kind: 'n', sess: id, raw: t})
					break
				}
			}
			lastConnect = -1
		case k < 97:
			d := time.Duration(r.IntN(int(t.Sub(t0)/time.Millisecond)+50)) * time.Millisecond
			if preLog || r.IntN(3) == 0 {
				d = t.Sub(t0) + time.Duration(r.IntN(100))*time.Millisecond // from before the log
			}
			ops = append(ops, refOp{kind: 'r', raw: t, dur: d})
		case k < 98 && !preLog:
			ops = append(ops, refOp{kind: 'x', raw: t})
			open = open[:0]
			lastConnect = -1
		}
	}
	return ops
}

func TestPeakRandomAgainstBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	approx := 0
	for iter := 0; iter < 800; iter++ {
		ops := randomOps(r, 1+r.IntN(400), false)
		got := play(ops)
		wantV, wantT := refPeak(ops)
		if got.Active != wantV {
			t.Fatalf("iter %d: peak %d, want %d\nops: %v", iter, got.Active, wantV, ops)
		}
		if got.Approx > 0 {
			approx++
			continue
		}
		if !got.Time.Equal(wantT) {
			t.Fatalf("iter %d: peak %d at %v, want at %v\nops: %v", iter, got.Active, got.Time, wantT, ops)
		}
	}
	t.Logf("%d of 800 runs had an approximate peak time", approx)
}

func TestPeakMemoryBounded(t *testing.T) {
	var c peakCurve
	t0 := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	for i := 0; i < 200000; i++ {
		// a saw tooth between 0 and 50 sessions, with retroactive sessions
		at := t0.Add(time.Duration(i) * time.Millisecond)
		if i/50%2 == 0 {
			c.step(at, +1)
		} else {
			c.step(at, -1)
		}
		if i%1000 == 0 {
			c.since(at, time.Duration(i%7000)*time.Millisecond)
		}
	}
	if n := len(c.Stair) + len(c.Tail); n > 2*peakTail+60 {
		t.Errorf("curve keeps %d steps, want at most ~%d", n, 2*peakTail+60)
	}
}

// Sessions open before the log began raise the whole curve: the peak's
// time is then exact too.
func TestPeakPreLogExact(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for iter := 0; iter < 300; iter++ {
		ops := randomOps(r, 1+r.IntN(400), true)
		got := play(ops)
		wantV, wantT := refPeak(ops)
		if got.Active != wantV || !got.Time.Equal(wantT) || got.Approx != 0 {
			t.Fatalf("iter %d: peak %+v, want %d at %v", iter, got, wantV, wantT)
		}
	}
}
