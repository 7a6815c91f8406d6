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

// syslogLine strips the syslog header and PostgreSQL's "[SEQ-CHUNK] "
// numbering from a line. It returns the stderr-style line and the PID
// from the program tag; a continuation chunk comes back starting with a
// TAB. It returns nil for a line that is not from syslog.
func (r *Reader) syslogLine(line []byte) ([]byte, int) {
	h := syslogHeader(line)
	if h == 0 {
		if len(line) > 0 && line[0] == '\t' {
			return line, 0 // a journald continuation entry
		}
		if len(line) > 0 && !bytes.HasPrefix(line, []byte("-- ")) { // journalctl's "-- Logs begin at …"
			r.stats.Skipped++
		}
		return nil, 0
	}
	open := bytes.LastIndexByte(line[:h-3], '[')
	pid := atoi(line[open+1 : h-3])
	r.sysStampLen = 0
	if k := syslogStampLen(line); k > 0 && k <= len(r.sysStamp) {
		r.sysStampLen = copy(r.sysStamp[:], line[:k])
		// The host: the word between the time stamp and the tag.
		if host, _, ok := bytes.Cut(line[k+1:open], []byte{' '}); ok && string(host) != r.sysHost {
			r.sysHost = string(host)
		}
	}
	return syslogBody(line[h:]), pid
}

// syslogBody strips PostgreSQL's "[SEQ-CHUNK] " numbering from a syslog
// message; a later chunk of a record comes back as a continuation, which
// starts with a TAB (it may reuse rest's first byte for it).
func syslogBody(rest []byte) []byte {
	// "[9-1] ", "[9-2] ", "[9] "
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

// syslogTime reads an RFC 3339 syslog time stamp; the traditional form
// has no year and is not used.
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
