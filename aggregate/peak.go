package aggregate

import (
	"slices"
	"time"
)

// The peak is the most sessions open at one moment, counted exactly in one
// pass with memory bounded by the number of sessions, never by the number
// of lines.
//
// What it counts, at every moment of the log:
//   - every session whose "connection authorized" line was read, from that
//     line until its disconnection, the server reset that ended it, or the
//     reuse of its PID, whichever comes first;
//   - every session that was already open when the log began (or whose
//     connect line is missing): a disconnection line carries the session
//     time, so such a session is known to have been open over
//     [disconnect − session time, disconnect]. It is added to the curve
//     retroactively when its disconnection is read. A session cannot
//     outlive a server reset, so the span is cut at the last reset before
//     its disconnection.
//
// What it does not count: a session refused after "connection authorized"
// (too many connections for role, database does not exist, …) was never
// open; a session open before the log began that ended without a
// disconnection line (crash, immediate shutdown, log_disconnections off)
// or is still open at the end of the input leaves no trace in the log and
// cannot be counted. Walsenders count, as in the active count.
//
// Order: the log's order is the order of events. Several events with the
// same time stamp apply one after another as they appear (a connect and a
// disconnect in the same millisecond make a peak of one more for that
// millisecond). A time stamp that steps back is read as the newest one
// seen so far, so the curve's time never runs backwards.
//
// How: the curve is a list of steps (from time T on, V sessions). A
// retroactive session raises every step from its start on. A step that is
// followed by a later step at least as high can never become the peak
// again, since every later raise covers the later step too; so only a
// strictly falling staircase of steps is kept (at most one per distinct
// count), plus the last peakTail steps verbatim so that a refusal after
// "connection authorized" can withdraw its session exactly. The peak's
// value is always exact. Its time is the first moment the count was
// reached, except when a retroactive session starts inside a stretch of
// the log that has been folded into the staircase: the time is then a
// later moment at which the count was held (Peak.Approx counts these).

// peakTail is how many of the newest steps at least are kept verbatim
// (between peakTail and 2×peakTail).
const peakTail = 64

// A peakStep is one step of the active-session curve.
type peakStep struct {
	T     time.Time // from T on (never before the previous step's T)
	Until time.Time // the next step's T; zero while this is the last step
	First time.Time // first moment V was reached in this step's stretch
	Seq   int64     // log order; steps inserted retroactively share their step's
	V     int       // sessions open
}

// peakCurve is the folded curve. All fields are plain data.
type peakCurve struct {
	Stair    []peakStep // folded steps: T rising, V strictly falling
	Tail     []peakStep // the newest steps, verbatim
	Cur      int        // sessions open now, as the curve counts them
	Seq      int64
	Last     time.Time // newest time stamp
	Reset    time.Time // last server reset
	ResetSeq int64     // its step
	HasReset bool
	Started  bool
	Approx   int // peak time stamps that may be later than the first moment
}

// Peak is the most sessions open at one moment.
type Peak struct {
	Active int
	Time   time.Time // first moment it was reached; zero without time stamps
	// Approx counts the folded retroactive changes after which Time may
	// be a later moment at which Active was held, not the first one.
	Approx int
}

func (c *peakCurve) clock(t time.Time) time.Time {
	if t.IsZero() || t.Before(c.Last) {
		return c.Last
	}
	c.Last = t
	return t
}

func (c *peakCurve) start(t time.Time) {
	if !c.Started {
		c.Started = true
		t = c.clock(t)
		c.Tail = append(c.Tail, peakStep{T: t, First: t})
	}
}

func (c *peakCurve) last() *peakStep {
	if n := len(c.Tail); n > 0 {
		return &c.Tail[n-1]
	}
	return &c.Stair[len(c.Stair)-1]
}

// step records a change of the open sessions at t.
func (c *peakCurve) step(t time.Time, delta int) int64 {
	c.start(t)
	c.Seq++
	if delta == 0 {
		return c.Seq
	}
	c.Cur += delta
	c.push(t)
	return c.Seq
}

// push appends a step at t to the current count.
func (c *peakCurve) push(t time.Time) {
	t = c.clock(t)
	c.last().Until = t
	c.Tail = append(c.Tail, peakStep{T: t, First: t, Seq: c.Seq, V: c.Cur})
	if len(c.Tail) >= 2*peakTail { // fold the older half, amortised
		for i := range c.Tail[:peakTail] {
			c.Stair = fold(c.Stair, &c.Tail[i])
		}
		c.Tail = append(c.Tail[:0], c.Tail[peakTail:]...)
	}
}

// fold appends p to a staircase, dropping the steps p dominates.
// (p is not changed: a step is 88 bytes, not copied in and out.)
func fold(stair []peakStep, p *peakStep) []peakStep {
	first := p.First
	for n := len(stair); n > 0 && stair[n-1].V <= p.V; n = len(stair) {
		if stair[n-1].V == p.V && stair[n-1].First.Before(first) {
			first = stair[n-1].First
		}
		stair = stair[:n-1]
	}
	stair = append(stair, *p)
	stair[len(stair)-1].First = first
	return stair
}

// reset ends every session at t.
func (c *peakCurve) reset(t time.Time) {
	c.start(t)
	c.Seq++
	c.Cur = 0
	c.push(t) // always a step: sessions after the reset start from it
	c.Reset, c.ResetSeq, c.HasReset = c.Last, c.Seq, true
}

// since adds a session that ended now and had been open for d: it raises
// every step from now−d on. Without time stamps it raises every step.
func (c *peakCurve) since(now time.Time, d time.Duration) {
	c.start(now)
	var s time.Time // zero: from the beginning
	if !now.IsZero() {
		s = now.Add(-d)
	}
	// A session cannot outlive a server reset: it counts from the reset's
	// step on, in log order (not from events in the reset's millisecond
	// that came before it).
	clipped := c.HasReset && !s.After(c.Reset)
	covered := func(p *peakStep) bool {
		if clipped {
			return p.Seq >= c.ResetSeq
		}
		return !p.T.Before(s)
	}
	// The step in effect at s, if s falls inside it: the stretch from s
	// to its end is one higher, so it is split there.
	raise := func(steps []peakStep, folded bool) []peakStep {
		for i := len(steps) - 1; i >= 0; i-- {
			p := &steps[i]
			if covered(p) {
				p.V++
				// A folded step stands for a stretch of the log; only
				// its part from s on rose.
				if folded && (clipped && !p.First.After(c.Reset) || !clipped && p.First.Before(s)) && !p.First.Equal(p.T) {
					p.First = p.T
					c.Approx++
				}
				continue
			}
			// s == Until too: a session is taken to start at the very
			// beginning of its millisecond, before the events logged in it.
			if !clipped && (p.Until.IsZero() || !p.Until.Before(s)) {
				q := peakStep{T: s, Until: p.Until, First: s, Seq: p.Seq, V: p.V + 1}
				p.Until = s
				steps = slices.Insert(steps, i+1, q)
			}
			break
		}
		return steps
	}
	if covered(&c.Tail[0]) {
		for i := range c.Tail {
			c.Tail[i].V++
		}
		c.Stair = raise(c.Stair, true)
		// Keep the staircase strictly falling.
		var out []peakStep
		for i := range c.Stair {
			out = fold(out, &c.Stair[i])
		}
		c.Stair = out
	} else {
		c.Tail = raise(c.Tail, false)
	}
	// The session ended now: the count falls back right after.
	if c.last().V != c.Cur {
		c.push(now)
	}
}

// retract withdraws a session whose connect step had sequence seq: it
// never opened (refused after "connection authorized").
func (c *peakCurve) retract(seq int64) {
	c.Cur--
	for i := range c.Tail {
		if c.Tail[i].Seq >= seq {
			c.Tail[i].V--
		}
	}
	for i := range c.Stair {
		if c.Stair[i].Seq >= seq {
			c.Stair[i].V-- // a suffix of a strictly falling staircase
			c.Approx++
		}
	}
}

// Peak returns the most sessions open at one moment, server-wide (see
// peak.go for exactly what is counted).
func (s *State) Peak() Peak { return s.peak.peak() }

// peak returns the highest step and the first moment it was reached.
func (c *peakCurve) peak() Peak {
	var best Peak
	found := false
	consider := func(p peakStep) {
		if !found || p.V > best.Active || p.V == best.Active && p.First.Before(best.Time) {
			best.Active, best.Time, found = p.V, p.First, true
		}
	}
	if len(c.Stair) > 0 {
		consider(c.Stair[0])
	}
	for _, p := range c.Tail {
		consider(p)
	}
	best.Approx = c.Approx
	return best
}
