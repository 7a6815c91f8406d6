package parse

import (
	"bytes"
	"time"
)

// startEnvelope puts the envelope of r.format between the input and the
// decoders, and chooses the format of the lines inside it: the
// envelope's own (CloudNativePG's records are csvlog), or the one the
// first inner line that is not blank shows.
func (r *Reader) startEnvelope() error {
	r.env = newEnvelope(r.format, r.rawLine, &r.stats.Skipped)
	r.inner = r.env.inner()
	for r.inner == Auto {
		line, err := r.readLine()
		if err != nil {
			r.inner = Stderr // nothing inside: any format reads nothing
			r.unreadEnd(err)
			return nil
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		r.inner = sniff(line)
		if r.inner == Syslog {
			r.inner = Stderr // a server line is never a syslog line inside an envelope
		}
		r.unreadLine(line)
	}
	return nil
}

// unreadEnd makes the next read return err.
func (r *Reader) unreadEnd(err error) {
	r.env = &endEnvelope{err: err}
}

// endEnvelope is an envelope at its end.
type endEnvelope struct{ err error }

func (e *endEnvelope) next() ([]byte, envMeta, error) { return nil, envMeta{}, e.err }
func (e *endEnvelope) inner() Format                  { return Auto }

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
