package parse

import (
	"bytes"
	"time"
)

// startEnvelope puts the envelope of r.format between the input and the
// decoders (openEnvelope).
func (r *Reader) startEnvelope() error {
	env, inner, err := openEnvelope(r.format, r.rawLine, &r.stats.Skipped)
	r.env, r.inner = env, inner
	return err
}

// openEnvelope opens the envelope f around the lines of src and tells the
// format of the lines inside it: the envelope's own (CloudNativePG's
// records are csvlog), or the one the first inner line that is not blank
// shows. That line may start a second envelope (CloudNativePG's JSON
// behind kubectl's time stamps): it is unwrapped in turn. skipped counts
// the records the envelopes drop.
func openEnvelope(f Format, src lineSource, skipped *int) (envelope, Format, error) {
	env := newEnvelope(f, src, skipped)
	if inner := env.inner(); inner != Auto {
		return env, inner, nil
	}
	var first []byte
	var m envMeta
	var err error
	for len(bytes.TrimSpace(first)) == 0 && err == nil {
		first, m, err = env.next()
	}
	if err != nil {
		return &endEnvelope{err: err}, Stderr, nil // nothing inside
	}
	env = &replayEnv{line: append([]byte(nil), first...), meta: m, env: env}
	f, err = sniffEnvelope(first)
	switch {
	case err != nil:
		return nil, Auto, err
	case f > Syslog:
		n := newNestedEnv(f, env, skipped)
		if inner := n.inner(); inner != Auto {
			return n, inner, nil
		}
		return n, Stderr, nil
	case f == CSVLog || f == JSONLog:
		return env, f, nil
	}
	return env, Stderr, nil // a server line is never a syslog line inside an envelope
}

// endEnvelope is an envelope at its end.
type endEnvelope struct{ err error }

func (e *endEnvelope) next() ([]byte, envMeta, error) { return nil, envMeta{}, e.err }
func (e *endEnvelope) inner() Format                  { return Auto }

// replayEnv hands out a line read ahead, then the lines of env.
type replayEnv struct {
	line []byte
	meta envMeta
	env  envelope
	done bool
}

func (e *replayEnv) next() ([]byte, envMeta, error) {
	if !e.done {
		e.done = true
		return e.line, e.meta, nil
	}
	return e.env.next()
}

func (e *replayEnv) inner() Format { return e.env.inner() }

// nestedEnv is an envelope inside another: what the inner one says
// about a line wins, the outer one fills in the rest.
type nestedEnv struct {
	in    envelope
	outer envMeta // of the outer line last read
}

func newNestedEnv(f Format, outer envelope, skipped *int) *nestedEnv {
	n := &nestedEnv{}
	n.in = newEnvelope(f, func() ([]byte, error) {
		l, m, err := outer.next()
		n.outer = m
		return l, err
	}, skipped)
	return n
}

func (n *nestedEnv) next() ([]byte, envMeta, error) {
	l, m, err := n.in.next()
	if m.time.IsZero() {
		m.time = n.outer.time
	}
	if m.pid == 0 {
		m.pid = n.outer.pid
	}
	if m.origin == "" {
		m.origin = n.outer.origin
	}
	return l, m, err
}

func (n *nestedEnv) inner() Format { return n.in.inner() }

// readEnvelope reads the next event from the lines inside an envelope.
func (r *Reader) readEnvelope() (Event, error) {
	loose := r.stats.Loose
	var ev Event
	var err error
	switch r.inner {
	case CSVLog:
		ev, err = r.readCSV()
	case JSONLog:
		ev, err = r.readJSON()
	default:
		return r.readSerial() // applies the line's own envelope facts
	}
	if err == nil {
		r.envelopeKnows(&ev, r.meta, loose)
	}
	return ev, err
}

// envelopeKnows completes ev with what the envelope of its line said: a
// time and PID where the line had none, and the origin. A prefix of
// unknown shape is no cause for the hint when the envelope has the PID
// (a syslog prefix without %p: the program tag has it).
func (r *Reader) envelopeKnows(ev *Event, m envMeta, loose int) {
	if ev.Time.IsZero() {
		ev.Time = m.time
	}
	if ev.PID == 0 {
		ev.PID = m.pid
	}
	if m.pid != 0 && r.stats.Loose > loose {
		r.stats.Loose = loose
	}
	ev.Origin = m.origin
}

// syslogStampTime reads a syslog time stamp: RFC 3339, or the
// traditional form without a year (see yearGuess).
func (r *Reader) syslogStampTime(stamp []byte) time.Time {
	if len(stamp) > 0 && stamp[0] >= 'A' && stamp[0] <= 'Z' {
		return r.year.at(stamp)
	}
	return syslogTime(stamp)
}
