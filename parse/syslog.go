package parse

import (
	"bytes"
	"time"
)

// syslogHeader returns the length of a syslog or journald line header,
// "Nov 25 21:42:50 host postgres[16887]: " or
// "2026-11-25T20:42:50.655171+00:00 host postgres[16887]: ", or 0 when
// line does not start with one. The program tag may be any syslog_ident.
func syslogHeader(line []byte) int {
	if len(line) < 16 {
		return 0
	}
	c := line[0]
	switch {
	case c >= '0' && c <= '9':
		// RFC 3339: 2026-11-25T20:42:50…
		if len(line) < 20 || line[4] != '-' || line[10] != 'T' || line[13] != ':' {
			return 0
		}
	case c >= 'A' && c <= 'Z':
		// Traditional: "Nov 25 21:42:50 " (day padded with a space), or
		// journalctl -o short-precise: "Nov 25 21:42:50.655171 ".
		if tradStampLen(line) == 0 {
			return 0
		}
	default:
		return 0
	}
	end := len(line)
	if end > 512 {
		end = 512
	}
	k := bytes.Index(line[:end], []byte("]: "))
	if k < 0 {
		return 0
	}
	// tag[pid]
	open := bytes.LastIndexByte(line[:k], '[')
	if open <= 0 || !digits(line[open+1:k]) || bytes.IndexByte(line[:open], ' ') < 0 {
		return 0
	}
	return k + 3
}

// syslogDecoder reads log_destination = 'syslog' as a syslog daemon or
// journald writes it to a file: stderr-format lines (the syslog source
// strips the headers) whose PID and time stamp may come from the header.
type syslogDecoder struct {
	src  *syslogSource
	line stderrDecoder // reads from src
	year *yearGuess    // for traditional stamps, which have no year
	ev   Event         // the event decode read
}

func (d *syslogDecoder) decode() (*Event, error) {
	for {
		line, err := d.src.next()
		if err != nil {
			return nil, err
		}
		head := d.src.cur // a continuation may be taken while parsing
		ev := &d.ev
		*ev = Event{}
		loose := d.line.st.Loose
		if d.line.parseLine(line, ev) {
			if ev.Time.IsZero() {
				ev.Time = d.stampTime(head.stamp[:head.stampLen])
			}
			envelopeKnows(ev, envMeta{pid: head.pid, origin: head.host}, d.line.st, loose)
			return ev, nil
		}
	}
}

// stampTime reads a syslog time stamp: RFC 3339, or the traditional form
// without a year (see yearGuess).
func (d *syslogDecoder) stampTime(stamp []byte) time.Time {
	if len(stamp) > 0 && stamp[0] >= 'A' && stamp[0] <= 'Z' {
		return d.year.at(stamp)
	}
	return syslogTime(stamp)
}

// syslogSource is the lineSource of a syslog file: the stderr-format
// lines inside its records, without the syslog header and PostgreSQL's
// "[SEQ-CHUNK] " numbering; a record's later chunk comes as a
// continuation line, starting with a TAB. Lines that are not from syslog
// are counted in Stats.Skipped (blank ones are not) and not returned.
type syslogSource struct {
	lines  lineSource
	st     *Stats
	cur    syslogRecord // of the line last taken
	ahead  syslogRecord // of the line peeked
	peeked bool
}

// A syslogRecord is one syslog line, split.
type syslogRecord struct {
	line     []byte // the stderr-format line; nil when not from syslog
	raw      bool   // the input line was not blank
	rawLine  []byte // the input line
	pid      int    // from the program tag
	host     string // between the time stamp and the tag
	stamp    [40]byte
	stampLen int
}

func (s *syslogSource) next() ([]byte, error) {
	for {
		if s.peeked {
			s.peeked = false
			s.lines.take()
			s.cur = s.ahead
		} else {
			raw, err := s.lines.next()
			if err != nil {
				return nil, err
			}
			s.cur.split(raw)
		}
		if s.cur.line != nil {
			return s.cur.line, nil
		}
		if s.cur.raw && !bytes.HasPrefix(s.cur.rawLine, []byte("-- ")) { // journalctl's "-- Logs begin at …"
			s.st.Skipped++
		}
	}
}

// peek returns the next line stripped, and an empty line (no
// continuation) for a line that is not from syslog.
func (s *syslogSource) peek() ([]byte, bool) {
	if !s.peeked {
		raw, ok := s.lines.peek()
		if !ok {
			return nil, false
		}
		s.ahead.split(raw)
		s.peeked = true
	}
	if s.ahead.line == nil {
		return []byte{}, true
	}
	return s.ahead.line, true
}

func (s *syslogSource) take() {
	if s.peeked {
		s.peeked = false
		s.lines.take()
		s.cur = s.ahead
	}
}

// split strips the syslog header and PostgreSQL's "[SEQ-CHUNK] "
// numbering from line (a continuation chunk's first byte becomes a TAB,
// in place) and keeps the PID of the program tag and the time stamp.
func (rec *syslogRecord) split(line []byte) {
	rec.raw, rec.rawLine = len(line) > 0, line
	rec.line, rec.pid, rec.stampLen = nil, 0, 0
	h := syslogHeader(line)
	if h == 0 {
		if len(line) > 0 && line[0] == '\t' {
			rec.line = line // a journald continuation entry
		}
		return
	}
	open := bytes.LastIndexByte(line[:h-3], '[')
	if tag := line[open+1 : h-3]; len(tag) <= maxPIDDigits {
		rec.pid = atoi(tag)
	} // longer is no PID (it would wrap), as in a prefix
	if k := syslogStampLen(line); k > 0 && k <= len(rec.stamp) {
		rec.stampLen = copy(rec.stamp[:], line[:k])
		// The host: the word between the time stamp and the tag.
		if host, _, ok := bytes.Cut(line[k+1:open], []byte{' '}); ok && string(host) != rec.host {
			rec.host = string(host)
		}
	}
	rec.line = syslogBody(line[h:])
}

// syslogBody strips the "[9-1] ", "[9-2] ", "[9] " numbering from the
// text after a syslog header; a later chunk of a record comes back as a
// continuation, its first byte a TAB.
func syslogBody(rest []byte) []byte {
	if len(rest) > 2 && rest[0] == '[' {
		if e := bytes.IndexByte(rest, ']'); e > 1 && e < 24 && e+1 < len(rest) && rest[e+1] == ' ' {
			num := rest[1:e]
			chunk := 1
			if d := bytes.IndexByte(num, '-'); d > 0 && digits(num[:d]) && digits(num[d+1:]) {
				chunk = atoi(num[d+1:])
			} else if !digits(num) {
				e = -1
			}
			if e > 0 {
				rest = rest[e+1:] // keeps the space
				if chunk > 1 {
					// A later chunk of a record: a continuation.
					if bytes.HasPrefix(rest[1:], []byte("#011")) {
						rest = rest[4:]
					}
					rest[0] = '\t'
					return rest
				}
				rest = rest[1:]
			}
		}
	}
	if bytes.HasPrefix(rest, []byte("#011")) {
		rest = rest[3:]
		rest[0] = '\t'
	}
	return rest
}

// syslogTime reads an RFC 3339 syslog time stamp (the traditional form,
// which has no year, is read by yearGuess).
func syslogTime(stamp []byte) time.Time {
	if len(stamp) < 20 || stamp[0] < '0' || stamp[0] > '9' {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, string(stamp))
	if err != nil {
		// journalctl -o short-iso: +0100 without a colon.
		t, err = time.Parse("2006-01-02T15:04:05-0700", string(stamp))
		if err != nil {
			return time.Time{}
		}
	}
	if _, off := t.Zone(); off == 0 {
		t = t.UTC() // "+00:00" is UTC, whatever the local zone is
	}
	return t
}
