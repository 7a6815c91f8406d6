package parse

import (
	"bytes"
	"slices"
)

// csvDecoder reads csvlog records. The column set depends on the server
// version: 23 columns in 12, 24 in 13 (backend_type), 26 in 14 and later
// (leader_pid, query_id). Records may span lines (quoted newlines).
//
// Records are gathered line by line: a record ends at a newline after an
// even number of quotes (fields are quoted, inner quotes doubled). Most
// records are plain LOG statements; those are told from the few that may
// be events by a look at their message's start, and only the rest are
// split into fields. A quote that never closes (a record cut by a crash,
// a corrupt file) would swallow the rest of the input: the open record is
// dropped (Stats.Skipped) when a line starts like a new record (a time
// stamp and a comma), and after MaxLine bytes in any case
// (Stats.Truncated); reading starts afresh on the next line.
type csvDecoder struct {
	src    lineSource
	pre    *recSource // src on the fast path, else nil
	st     *Stats
	raw    []byte   // the record being gathered
	fields [][]byte // its fields, for the records that are split: in raw or unq
	unq    []byte   // the quoted fields with doubled quotes, undoubled
	f      fields   // the session fields of the record
	zc     zoneCache
	names  interner // of the events' strings
	ev     Event    // the event decode read, when no worker did
}

// csvlog columns (0-based) that pgtail reads.
const (
	csvTime     = 0
	csvUser     = 1
	csvDB       = 2
	csvPID      = 3
	csvFrom     = 4
	csvSeverity = 11
	csvMessage  = 13
	csvApp      = 22

	csvMinColumns = 23 // PostgreSQL 12
)

func (d *csvDecoder) decode() (*Event, error) {
	for {
		raw, first, pe, err := d.gather()
		if pe != nil {
			pe.Line = first
			return pe, nil
		}
		if raw == nil {
			return nil, err
		}
		ev := &d.ev
		*ev = Event{}
		if d.one(raw, ev) {
			ev.Line = first
			return ev, nil
		}
	}
}

// one reads one whole record into ev and reports whether it is a
// connection event.
func (d *csvDecoder) one(raw []byte, ev *Event) bool {
	if !csvMayBeEvent(raw) {
		d.st.Entries++ // a LOG record, complete (it has its severity and sqlstate)
		return false
	}
	return d.split(raw, ev)
}

// split reads a record that may be an event into ev, split into fields.
func (d *csvDecoder) split(raw []byte, ev *Event) bool {
	var ok bool
	d.fields, d.unq, ok = splitCSV(raw, d.fields[:0], d.unq)
	if !ok {
		d.st.Skipped++
		return false
	}
	return d.record(d.fields, ev)
}

// csvRecordLine is a worker's recordLine for csvlog (records.go): a line
// with an even number of quotes is a whole record where a record starts.
func csvRecordLine() recordLine {
	var st Stats
	d := &csvDecoder{st: &st}
	return func(line []byte, ev *Event) uint8 {
		switch {
		case bytes.Count(line, quote)%2 != 0:
			return 0 // the start of a record over several lines, or inside one
		case len(line) == 0:
			return markOwn // a blank line between records
		case !csvMayBeEvent(line):
			return markOwn | markEntry
		}
		st, *ev = Stats{}, Event{}
		return marksOf(st, d.split(line, ev))
	}
}

// gather reads the lines of one record. It returns the record without
// its final newline and the line it starts on; a nil record with the
// reader's error at the end. A last record cut inside a quote is skipped.
// On the fast path, a line a worker read as a whole record is not
// returned but counted, and its event returned, if it has one.
func (d *csvDecoder) gather() (raw []byte, first int, pe *Event, err error) {
	d.raw = d.raw[:0]
	quotes := 0
	for {
		if len(d.raw) == 0 && d.pre != nil {
			d.pre.skip()
		}
		line, err := d.src.next()
		if err != nil {
			if len(d.raw) > 0 {
				d.st.Skipped++ // cut inside a quote at the end
			}
			return nil, 0, nil, err
		}
		if len(d.raw) > 0 && isCSVStart(line) {
			// A new record starts while a quote is open: the record before
			// was cut (a crash, a truncated copy). Skip it, not the rest.
			d.st.Skipped++
			d.raw, quotes = d.raw[:0], 0
		}
		if len(d.raw) == 0 && d.pre != nil {
			if ev, own := d.pre.read(); own {
				if ev != nil {
					return nil, d.st.Lines, ev, nil
				}
				continue
			}
		}
		if len(d.raw) == 0 {
			if len(line) == 0 {
				continue // blank line between records
			}
			first = d.st.Lines
			quotes = bytes.Count(line, quote)
			if quotes%2 == 0 {
				return line, first, nil, nil // a one-line record: no copy
			}
			d.raw = append(d.raw, line...)
			continue
		}
		d.raw = append(d.raw, '\n')
		d.raw = append(d.raw, line...)
		quotes += bytes.Count(line, quote)
		if quotes%2 == 0 {
			return d.raw, first, nil, nil
		}
		if len(d.raw) > MaxLine {
			d.st.Truncated++
			d.raw, quotes = d.raw[:0], 0
		}
	}
}

var (
	quote      = []byte{'"'}
	csvLogMark = []byte(`,LOG,00000,"`)
)

// csvLogIndex returns bytes.Index(raw, csvLogMark). The comma it starts
// with is the commonest byte of a record, each a false start for
// bytes.Index: the rarer 'L' after it is searched for instead.
func csvLogIndex(raw []byte) int {
	for from := 0; ; {
		i := bytes.Index(raw[from:], csvLogMark[1:])
		if i < 0 {
			return -1
		}
		i += from
		if i > 0 && raw[i-1] == ',' {
			return i - 1
		}
		from = i + 1
	}
}

// csvMayBeEvent is a cheap look at a record before it is split: every
// record is split but a LOG record whose message does not start like an
// event. The severity mark must stand outside quotes (an even number of
// quotes before it: no unquoted field before the severity can hold it),
// else the record is split to be sure.
func csvMayBeEvent(raw []byte) bool {
	k := csvLogIndex(raw)
	if k < 0 || bytes.Count(raw[:k], quote)%2 != 0 {
		return true
	}
	return logEventStart(raw[k+len(csvLogMark):])
}

// splitCSV splits one record into fields (RFC 4180: quoted fields, inner
// quotes doubled, newlines inside quotes). It reports false for a record
// that is not well formed. The fields are views of raw, but for quoted
// fields with doubled quotes, which are undoubled into unq (reused, so
// that no field costs an allocation).
func splitCSV(raw []byte, fields [][]byte, unq []byte) ([][]byte, []byte, bool) {
	unq = slices.Grow(unq[:0], len(raw)) // never grows below: the views into it stay valid
	for {
		if len(raw) > 0 && raw[0] == '"' {
			i := 1
			var b []byte
			for {
				j := bytes.IndexByte(raw[i:], '"')
				if j < 0 {
					return fields, unq, false
				}
				if i+j+1 < len(raw) && raw[i+j+1] == '"' {
					// A doubled quote: the field is undoubled into unq.
					if b == nil {
						b = unq[len(unq):]
					}
					b = append(b, raw[i:i+j+1]...)
					i += j + 2
					continue
				}
				if b != nil {
					b = append(b, raw[i:i+j]...)
					unq = unq[:len(unq)+len(b)]
				} else {
					b = raw[i : i+j]
				}
				i += j + 1
				break
			}
			fields = append(fields, b)
			raw = raw[i:]
			if len(raw) == 0 {
				return fields, unq, true
			}
			if raw[0] != ',' {
				return fields, unq, false
			}
			raw = raw[1:]
			continue
		}
		k := indexComma(raw)
		if k < 0 {
			return append(fields, raw), unq, true
		}
		fields = append(fields, raw[:k])
		raw = raw[k+1:]
	}
}

// indexComma is bytes.IndexByte(b, ','). An unquoted csvlog field is
// short or empty (a PID, a count, a time stamp, nine empty columns in a
// row): its first bytes are looked at one by one, a call to IndexByte
// costs more than that.
func indexComma(b []byte) int {
	for i, c := range b[:min(len(b), 32)] {
		if c == ',' {
			return i
		}
	}
	if len(b) <= 32 {
		return -1
	}
	if k := bytes.IndexByte(b[32:], ','); k >= 0 {
		return k + 32
	}
	return -1
}

// record reads the fields of one csvlog record into ev and reports
// whether it is a connection event.
func (d *csvDecoder) record(rec [][]byte, ev *Event) bool {
	if len(rec) < csvMinColumns {
		// Not a csvlog record, or one cut short at the end of the input.
		d.st.Skipped++
		return false
	}
	d.st.Entries++
	sev := recordSeverity(string(rec[csvSeverity]))
	if sev != sevLog && sev != sevFatal {
		return false
	}
	if !classifyMsg(d.st, sev, rec[csvMessage], ev, &d.names) {
		return false
	}
	f := &d.f
	*f = fields{}
	if t, ok := d.zc.parseTimestamp(rec[csvTime]); ok {
		f.time, f.hasTime = t, true
	}
	if pid := rec[csvPID]; digits(pid) && len(pid) < 10 {
		f.pid = atoi(pid)
	}
	f.user = known(rec[csvUser])
	f.db = known(rec[csvDB])
	if len(rec) > csvApp {
		f.app = known(rec[csvApp])
	}
	// "host:port", "[local]", IPv6 "::1:38126": the port follows the last colon.
	from := rec[csvFrom]
	if k := bytes.LastIndexByte(from, ':'); k > 0 && digits(from[k+1:]) {
		f.host, f.port = from[:k], from[k+1:]
	} else {
		f.host = known(from)
	}
	f.apply(ev, &d.names)
	return true
}
