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

	nt      interner // of the events' strings
	scratch []byte   // a line and its TAB lines (names)
	ev      Event    // the event decode read, when no worker did

	fromWorkers int // events the scan workers read (preParsed), for tests
}

func (d *stderrDecoder) decode() (*Event, error) {
	for {
		line, err := d.src.next()
		if err != nil {
			return nil, err
		}
		ev := d.preParsed()
		if ev == nil {
			ev = &d.ev
			*ev = Event{}
			if !d.parseLine(line, ev) {
				continue
			}
		}
		if ev.Kind == Failure && strings.HasSuffix(ev.Reason, "authentication failed") {
			if ev != &d.ev {
				d.ev, ev = *ev, &d.ev // its DETAIL may be in the next block: the worker's may go back
			}
			d.detail(ev)
		}
		return ev, nil
	}
}

// buffered reports whether decode returns next an event a worker read,
// without reading more input (Reader.Buffered).
func (d *stderrDecoder) buffered() bool {
	bs, ok := d.src.(*blockSource)
	return ok && bs.buffered(d.ps.current())
}

// preParsed takes the event that a scan worker read from the line just
// taken, if it did (blockSource.event), with the counts parseLine makes.
func (d *stderrDecoder) preParsed() *Event {
	bs, ok := d.src.(*blockSource)
	if !ok {
		return nil
	}
	ev := bs.event(d.ps.current())
	if ev == nil {
		return nil
	}
	ev.Line = d.st.Lines
	d.st.Entries++ // a LOG or FATAL line
	d.ps.hit()
	d.fromWorkers++
	return ev
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
	ev.Line = d.st.Lines // before a continuation is taken
	sev, word, start := lineSeverity(line)
	joined := false
	if sev == sevNone && d.ps.opens(line) {
		line, sev, word, start = d.join(line)
		joined = sev != sevNone
	}
	sev.count(&d.st.Entries, &d.st.Skipped)
	if sev != sevLog && sev != sevFatal && sev != sevOther {
		return false
	}
	msg := message(line, start)
	if sev == sevFatal && (joined || bytes.Count(msg, dquote)%2 == 1) {
		// A quoted name that holds a newline goes on on TAB lines.
		line, msg = d.names(line, len(line)-len(msg), !joined)
	}
	if !classify(sev, msg, ev, &d.nt) {
		var ok bool
		if line, ok = d.localized(sev, line, msg, ev); !ok {
			return false
		}
	} else if ev.Kind == Connect && (joined || !ev.Replication && ev.DB == "") {
		// So do a connect's names, when the prefix's span lines or the
		// message stops before its database.
		var more []byte
		if more, msg = d.names(line, len(line)-len(msg), false); len(more) > len(line) {
			*ev = Event{Line: ev.Line}
			if !classify(sev, msg, ev, &d.nt) {
				return false
			}
		}
		line = more
	}
	return d.applyPrefix(line[:word], ev, joined)
}

var dquote = []byte{'"'}

// maxJoin bounds the bytes that join and names add to an entry: two
// names of at most maxName bytes, and what the prefix writes between them.
const maxJoin = 4 * maxName

// join reads an entry whose user or database name holds a newline
// (prefix.opens): PostgreSQL writes the names unescaped, so the lines
// after line, whatever they look like, are part of the entry up to the
// one where its prefix closes with a severity. That is the first place
// where the whole prefix matches, with names no longer than PostgreSQL
// writes, and, when the message is an event, with the names the message
// gives (fields.agrees), and not followed by a line that goes on with
// it (pushed): a forged line inside a name closes nothing. It
// returns the entry, its lines joined with "\n", with the severity of the
// place found; when no line within maxJoin bytes closes it, nothing more
// is taken and line comes back alone, without a severity.
func (d *stderrDecoder) join(line []byte) (entry []byte, sev severity, word, msg int) {
	j := append([]byte(nil), line...)
	n := len(j)
	for len(j)-n <= maxJoin {
		next, ok := d.src.peek()
		if !ok {
			break
		}
		from := len(j) + 1
		j = append(append(j, '\n'), next...)
		if sev, word, msg, ok := d.close(j, from, n+maxJoin+maxSeverity); ok {
			d.src.take()
			if !d.pushed() {
				return j, sev, word, msg
			}
			continue // the name ended in a newline there: the entry goes on
		}
		if len(j)-n > maxJoin {
			break
		}
		d.src.take()
	}
	return j[:n], sevNone, 0, 0
}

// maxSeverity bounds what a prefix writes after its last name, with the
// severity word.
const maxSeverity = 64

// close finds where the prefix of entry closes at or after from, with its
// severity before upto (see join): the first place that reads as an event agreeing with the
// prefix, or else the last place where the prefix matches at all (a
// severity written inside a name comes before the server's).
func (d *stderrDecoder) close(entry []byte, from, upto int) (sev severity, word, msg int, ok bool) {
	for i := from; i < len(entry); {
		k := bytes.Index(entry[i:min(len(entry), upto+len(colon2))], colon2)
		if k < 0 {
			break
		}
		k += i
		i = k + 1
		w := k
		for w > from && (entry[w-1] >= 'A' && entry[w-1] <= 'Z' || entry[w-1] >= '0' && entry[w-1] <= '9') {
			w--
		}
		s := severityOf(entry[w:k])
		if s == sevNone || !d.ps.match(entry[:w]) || len(d.ps.f.user) > maxName || len(d.ps.f.db) > maxName {
			continue
		}
		var ev Event
		if classify(s, entry[k+len(colon2):], &ev, &d.nt) {
			if d.ps.f.agrees(&ev, entry[:w], joinedOpen) {
				return s, w, k + len(colon2), true
			}
			continue
		}
		sev, word, msg, ok = s, w, k+len(colon2), true
	}
	return sev, word, msg, ok
}

// names takes the TAB lines that continue the message at msg in line:
// PostgreSQL writes a newline in a message as "\n\t", and a name with one
// goes on there. While a quote is open (quoted), or else all of them
// (maxJoin bytes at most). It returns line with them, their TABs dropped,
// in a buffer of d's (line is void after a peek), and the message in it.
func (d *stderrDecoder) names(line []byte, msg int, quoted bool) (all, m []byte) {
	all = append(d.scratch[:0], line...)
	for len(all)-len(line) <= maxJoin && (!quoted || bytes.Count(all[msg:], dquote)%2 == 1) {
		next, ok := d.continuation()
		if !ok {
			break
		}
		all = append(append(all, '\n'), next...)
	}
	d.scratch = all
	return all, all[msg:]
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
	if tr == nil || !classify(sev, tr, ev, &d.nt) {
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

// applyPrefix reads the session fields of the prefix p into ev, and
// reports whether they agree with the message (fields.agrees).
func (d *stderrDecoder) applyPrefix(p []byte, ev *Event, joined bool) bool {
	if !d.ps.match(p) {
		if d.ps.tail(p, len(p)) {
			// The rest of an entry whose name ended in a newline: the
			// session fields were on a line above.
			d.ps.f = fields{}
		} else {
			d.st.Loose++
			d.ps.loose(p)
		}
	} else if ev.Kind == Failure {
		d.ps.preferQuoted(p, ev)
	}
	mode := single
	if joined {
		mode = joinedWhole
	}
	ok := d.ps.f.agrees(ev, p, mode)
	d.ps.f.apply(ev, &d.nt)
	return ok
}

// pushed reports whether the next line goes on with the entry above
// (prefix.tail): then the line just read ended inside a name that a
// client chose, and is not the server's. It peeks, so only an entry whose
// names hold a newline asks: its lines come in one write.
func (d *stderrDecoder) pushed() bool {
	next, ok := d.src.peek()
	if !ok {
		return false
	}
	sev, word, _ := lineSeverity(next)
	return sev != sevNone && sev != sevBlank && d.ps.tail(next, word)
}
