package parse

import (
	"bytes"
	"strings"
)

// csvState reads csvlog records. The column set depends on the server
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
type csvState struct {
	raw    []byte   // the record being gathered
	fields []string // its fields, for the records that are split
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

func (r *Reader) readCSV() (Event, error) {
	if r.csv == nil {
		r.csv = &csvState{}
	}
	st := r.csv
	for {
		raw, first, err := r.csvGather()
		if raw == nil {
			r.err = err
			return Event{}, err
		}
		if !csvMayBeEvent(raw) {
			r.stats.Entries++ // a LOG record, complete (it has its severity and sqlstate)
			continue
		}
		var ok bool
		st.fields, ok = splitCSV(raw, st.fields[:0])
		if !ok {
			r.stats.Skipped++
			continue
		}
		var ev Event
		if r.csvRecord(st.fields, &ev) {
			ev.Line = first
			return ev, nil
		}
	}
}

// csvGather reads the lines of one record. It returns the record without
// its final newline and the line it starts on; a nil record with the
// reader's error at the end. A last record cut inside a quote is skipped.
func (r *Reader) csvGather() (raw []byte, first int, err error) {
	st := r.csv
	st.raw = st.raw[:0]
	quotes := 0
	for {
		line, err := r.readLine()
		if err != nil {
			if len(st.raw) > 0 {
				r.stats.Skipped++ // cut inside a quote at the end
			}
			return nil, 0, err
		}
		if len(st.raw) > 0 && isCSVStart(line) {
			// A new record starts while a quote is open: the record before
			// was cut (a crash, a truncated copy). Skip it, not the rest.
			r.stats.Skipped++
			st.raw, quotes = st.raw[:0], 0
		}
		if len(st.raw) == 0 {
			if len(line) == 0 {
				continue // blank line between records
			}
			first = r.stats.Lines
			quotes = bytes.Count(line, quote)
			if quotes%2 == 0 {
				return line, first, nil // a one-line record: no copy
			}
			st.raw = append(st.raw, line...)
			continue
		}
		st.raw = append(st.raw, '\n')
		st.raw = append(st.raw, line...)
		quotes += bytes.Count(line, quote)
		if quotes%2 == 0 {
			return st.raw, first, nil
		}
		if len(st.raw) > MaxLine {
			r.stats.Truncated++
			st.raw, quotes = st.raw[:0], 0
		}
	}
}

var (
	quote      = []byte{'"'}
	csvLogMark = []byte(`,LOG,00000,"`)
)

// csvMayBeEvent is a cheap look at a record before it is split: every
// record is split but a LOG record whose message does not start like an
// event. The severity mark must stand outside quotes (an even number of
// quotes before it: no unquoted field before the severity can hold it),
// else the record is split to be sure.
func csvMayBeEvent(raw []byte) bool {
	k := bytes.Index(raw, csvLogMark)
	if k < 0 || bytes.Count(raw[:k], quote)%2 != 0 {
		return true
	}
	return logEventStart(raw[k+len(csvLogMark):])
}

// splitCSV splits one record into fields (RFC 4180: quoted fields, inner
// quotes doubled, newlines inside quotes). It reports false for a record
// that is not well formed.
func splitCSV(raw []byte, fields []string) ([]string, bool) {
	for {
		if len(raw) > 0 && raw[0] == '"' {
			var b []byte
			i := 1
			for {
				j := bytes.IndexByte(raw[i:], '"')
				if j < 0 {
					return fields, false
				}
				b = append(b, raw[i:i+j]...)
				i += j + 1
				if i < len(raw) && raw[i] == '"' {
					b = append(b, '"')
					i++
					continue
				}
				break
			}
			fields = append(fields, string(b))
			raw = raw[i:]
			if len(raw) == 0 {
				return fields, true
			}
			if raw[0] != ',' {
				return fields, false
			}
			raw = raw[1:]
			continue
		}
		k := bytes.IndexByte(raw, ',')
		if k < 0 {
			return append(fields, string(raw)), true
		}
		fields = append(fields, string(raw[:k]))
		raw = raw[k+1:]
	}
}

// csvRecord reads the fields of one csvlog record into ev and reports
// whether it is a connection event.
func (r *Reader) csvRecord(rec []string, ev *Event) bool {
	if len(rec) < csvMinColumns {
		// Not a csvlog record, or one cut short at the end of the input.
		r.stats.Skipped++
		return false
	}
	r.stats.Entries++
	sev := recordSeverity(rec[csvSeverity])
	if sev != sevLog && sev != sevFatal {
		return false
	}
	if !r.classifyMsg(sev, []byte(rec[csvMessage]), ev) {
		return false
	}
	f := &r.f
	*f = fields{}
	if t, ok := r.zc.parseTimestamp([]byte(rec[csvTime])); ok {
		f.time, f.hasTime = t, true
	}
	if pid := []byte(rec[csvPID]); digits(pid) && len(pid) < 10 {
		f.pid = atoi(pid)
	}
	f.user = known([]byte(rec[csvUser]))
	f.db = known([]byte(rec[csvDB]))
	if len(rec) > csvApp {
		f.app = known([]byte(rec[csvApp]))
	}
	// "host:port", "[local]", IPv6 "::1:38126": the port follows the last colon.
	from := rec[csvFrom]
	if k := strings.LastIndexByte(from, ':'); k > 0 && digits([]byte(from[k+1:])) {
		f.host, f.port = []byte(from[:k]), []byte(from[k+1:])
	} else {
		f.host = known([]byte(from))
	}
	r.applyFields(ev)
	return true
}

// classifyMsg classifies a whole message of a csvlog or jsonlog record,
// which may hold newlines (the French disconnection does).
func (r *Reader) classifyMsg(sev severity, msg []byte, ev *Event) bool {
	if classify(sev, msg, ev) {
		return true
	}
	if hasHighByte(msg) {
		r.stats.Foreign++
	}
	tr, _ := localize(sev, msg)
	if tr != nil && classify(sev, tr, ev) {
		r.stats.Localized++
		return true
	}
	return false
}

// recordSeverity maps a csvlog or jsonlog severity to what classify
// needs. csvlog severities are translated with lc_messages (the words
// come from the catalogs); jsonlog's are not.
func recordSeverity(s string) severity {
	switch s {
	case "LOG":
		return sevLog
	case "FATAL":
		return sevFatal
	}
	if sev, ok := local.words[s]; ok && (sev == sevLog || sev == sevFatal) {
		return sev
	}
	return sevOther
}
