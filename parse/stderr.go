package parse

import (
	"bytes"
	"strings"
)

// stderrDecoder reads log_destination = 'stderr' lines: "PREFIX
// SEVERITY:  message", an entry's further lines starting with a TAB. The
// syslog decoder and the jsonlog decoder (for the postmaster's lines
// before its collector runs) use it on their lines too.
type stderrDecoder struct {
	src lineSource
	st  *Stats
	ps  *prefixSet

	names interner // of the events' strings

	fromWorkers int // events the scan workers read (preParsed), for tests
}

func (d *stderrDecoder) decode() (Event, error) {
	for {
		line, err := d.src.next()
		if err != nil {
			return Event{}, err
		}
		var e Event
		if d.preParsed(&e) || d.parseLine(line, &e) {
			if e.Kind == Failure && strings.HasSuffix(e.Reason, "authentication failed") {
				d.detail(&e)
			}
			return e, nil
		}
	}
}

// preParsed takes the event that a scan worker read from the line just
// taken, if it did (blockSource.event), with the counts parseLine makes.
func (d *stderrDecoder) preParsed(ev *Event) bool {
	bs, ok := d.src.(*blockSource)
	if !ok {
		return false
	}
	pe := bs.event(d.ps.current())
	if pe == nil {
		return false
	}
	*ev = *pe
	ev.Line = d.st.Lines
	d.st.Entries++ // a LOG or FATAL line
	d.ps.hit()
	d.fromWorkers++
	return true
}

var labelDetail = []byte("DETAIL")

// detail looks at the line after an authentication failure: if it is the
// failure's DETAIL (its label in any language), its first line goes to
// ev.Detail, in English, and the line is taken; otherwise it is left for
// the next read. Only the rare failure lines pay for this.
func (d *stderrDecoder) detail(ev *Event) {
	line, ok := d.src.peek()
	if !ok {
		return
	}
	i := bytes.Index(line, colon2)
	if i < 0 {
		return
	}
	k := i - len(labelDetail)
	if k < 0 || !bytes.Equal(line[k:i], labelDetail) {
		sev, j := severityAt(line, i)
		if sev != sevDetail || !local.detailWords[string(line[j:i])] {
			return
		}
		k = j
	}
	if ev.PID == 0 || !d.ps.match(line[:k]) || d.ps.f.pid == ev.PID || d.ps.f.pid == 0 {
		text := line[i+len(colon2):]
		if en := localizeDetail(text); en != nil {
			text = en
		}
		ev.setDetail(string(text))
		d.src.take()
	}
}

// continuation takes the next line if it continues the entry above (it
// starts with a TAB, or #011 under rsyslog) and returns a copy of it
// without the tab; any other line is left for the next read.
func (d *stderrDecoder) continuation() ([]byte, bool) {
	line, ok := d.src.peek()
	if !ok || len(line) == 0 || line[0] != '\t' {
		return nil, false
	}
	d.src.take()
	return append([]byte(nil), line[1:]...), true
}

// parseLine reads one stderr-format line into ev and reports whether it
// is a connection event. It counts the line in Stats.Entries or Skipped.
func (d *stderrDecoder) parseLine(line []byte, ev *Event) bool {
	sev, word, start := lineSeverity(line)
	sev.count(&d.st.Entries, &d.st.Skipped)
	if sev != sevLog && sev != sevFatal && sev != sevOther {
		return false
	}
	msg := message(line, start)
	ev.Line = d.st.Lines // before a continuation is taken
	if !classify(sev, msg, ev, &d.names) {
		var ok bool
		if line, ok = d.localized(sev, line, msg, ev); !ok {
			return false
		}
	}
	d.applyPrefix(line[:word], ev)
	return true
}

// message returns the message of a line whose message starts at start.
func message(line []byte, start int) []byte {
	msg := line[start:]
	// log_error_verbosity=verbose puts the SQLSTATE first: "00000: ".
	if len(msg) > 7 && msg[5] == ':' && msg[6] == ' ' && alnum(msg[:5]) {
		msg = msg[7:]
	}
	return msg
}

// localized classifies msg, which is not an English event, as a
// translated message (lc_messages; localize.go). A translation that goes
// on past a newline (the French disconnection) continues on TAB lines,
// which it takes; then line comes back as a copy.
func (d *stderrDecoder) localized(sev severity, line, msg []byte, ev *Event) ([]byte, bool) {
	if sev != sevLog && sev != sevFatal {
		return nil, false
	}
	if hasHighByte(msg) {
		d.st.Foreign++
	}
	tr, more := localize(sev, msg)
	if tr == nil && more {
		line = append([]byte(nil), line...)
		head := append([]byte(nil), msg...)
		for n := 0; more && n < maxContinuations; n++ {
			next, ok := d.continuation()
			if !ok {
				break
			}
			head = append(append(head, '\n'), next...)
			tr, more = localize(sev, head)
		}
	}
	if tr == nil || !classify(sev, tr, ev, &d.names) {
		return nil, false
	}
	d.st.Localized++
	return line, true
}

// maxContinuations bounds the lines a translated message is looked for on.
const maxContinuations = 4

func hasHighByte(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

// applyPrefix reads the session fields of the prefix p into ev.
func (d *stderrDecoder) applyPrefix(p []byte, ev *Event) {
	if !d.ps.match(p) {
		d.st.Loose++
		d.ps.loose(p)
	} else if ev.Kind == Failure {
		d.ps.preferQuoted(p, ev)
	}
	d.ps.f.apply(ev, &d.names)
}
