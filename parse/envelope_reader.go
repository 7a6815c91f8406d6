package parse

import (
	"bytes"
)

// startEnvelope puts the envelope of the format read between the lines
// of the input and the decoder of the lines inside it (openEnvelope).
func (r *Reader) startEnvelope(lines lineSource) error {
	st := &r.stats
	env, inner, err := openEnvelope(st.Format, lines.next, &st.Skipped)
	if err != nil {
		return err
	}
	src := &envSource{env: env}
	var dec decoder
	switch inner {
	case CSVLog:
		dec = &csvDecoder{src: src, st: st}
	case JSONLog:
		dec = &jsonDecoder{line: stderrDecoder{src: src, st: st, ps: r.ps}}
	default:
		dec = &stderrDecoder{src: src, st: st, ps: r.ps}
	}
	r.dec = &envDecoder{src: src, dec: dec, st: st}
	return nil
}

// openEnvelope opens the envelope f around the lines of src and tells the
// format of the lines inside it: the envelope's own (CloudNativePG's
// records are csvlog), or the one the first inner line that is not blank
// shows. That line may start a second envelope (CloudNativePG's JSON
// behind kubectl's time stamps): it is unwrapped in turn. skipped counts
// the records the envelopes drop.
func openEnvelope(f Format, src lineFunc, skipped *int) (envelope, Format, error) {
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

// envSource is the lineSource of the lines inside an envelope. It keeps
// what the envelope said about the line last returned by next: an
// entry's line (its continuations and DETAIL are peeked and taken).
type envSource struct {
	env     envelope
	cur     envMeta // of the line last returned by next
	peeked  []byte
	ahead   envMeta
	peekErr error
	hasPeek bool
}

func (s *envSource) next() ([]byte, error) {
	if s.hasPeek {
		if s.peekErr != nil {
			return nil, s.peekErr
		}
		s.hasPeek = false
		s.cur = s.ahead
		return s.peeked, nil
	}
	line, m, err := s.env.next()
	s.cur = m
	return line, err
}

func (s *envSource) peek() ([]byte, bool) {
	if !s.hasPeek {
		// The line stays valid: the envelope is not asked for another
		// before the next call to next or peek.
		s.peeked, s.ahead, s.peekErr = s.env.next()
		s.hasPeek = true
	}
	return s.peeked, s.peekErr == nil
}

func (s *envSource) take() {
	if s.hasPeek && s.peekErr == nil {
		s.hasPeek = false
	}
}

// envDecoder completes the events of the decoder of the inner lines with
// what the envelope of their line said.
type envDecoder struct {
	src *envSource
	dec decoder
	st  *Stats
}

func (d *envDecoder) decode() (*Event, error) {
	loose := d.st.Loose
	ev, err := d.dec.decode()
	if err == nil {
		envelopeKnows(ev, d.src.cur, d.st, loose)
	}
	return ev, err
}

// envelopeKnows completes ev with what the envelope of its line said: a
// time and PID where the line had none, and the origin. A prefix of
// unknown shape is no cause for the hint when the envelope has the PID
// (a syslog prefix without %p: the program tag has it); loose is
// Stats.Loose before the line was read.
func envelopeKnows(ev *Event, m envMeta, st *Stats, loose int) {
	if ev.Time.IsZero() {
		ev.Time = m.time
	}
	if ev.PID == 0 {
		ev.PID = m.pid
	}
	if m.pid != 0 && st.Loose > loose {
		st.Loose = loose
	}
	ev.Origin = m.origin
}
