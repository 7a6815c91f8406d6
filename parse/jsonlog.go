package parse

import (
	"bytes"
	"encoding/json"
	"errors"
)

// jsonDecoder reads jsonlog (PostgreSQL 15+): one JSON object per line,
// keys absent when empty. The postmaster writes stderr-format lines until
// its log collector runs; those go to a stderr decoder.
type jsonDecoder struct {
	line stderrDecoder // its src and st are the jsonDecoder's
	pre  *recSource    // src on the fast path, else nil
	rec  jsonRecord    // for the records scanJSON leaves to encoding/json
	unq  []byte        // scanJSON's unescaped values
	f    fields        // the session fields of the record
	zc   zoneCache
	ev   Event // the event decode read, when no worker did
}

// jsonRecord holds the jsonlog keys pgtail reads. remote_port is a
// number; it is kept raw so that a string there does not lose the record.
type jsonRecord struct {
	Timestamp  string          `json:"timestamp"`
	User       *string         `json:"user"`
	DBName     *string         `json:"dbname"`
	PID        int             `json:"pid"`
	RemoteHost *string         `json:"remote_host"`
	RemotePort json.RawMessage `json:"remote_port"`
	Severity   string          `json:"error_severity"`
	Message    string          `json:"message"`
	App        *string         `json:"application_name"`
}

func (d *jsonDecoder) decode() (*Event, error) {
	for {
		if d.pre != nil {
			d.pre.skip()
		}
		line, err := d.line.src.next()
		if err != nil {
			return nil, err
		}
		if d.pre != nil {
			if pe, own := d.pre.read(); own {
				if pe != nil {
					pe.Line = d.line.st.Lines
					return pe, nil
				}
				continue
			}
		}
		ev := &d.ev
		*ev = Event{}
		if d.record(line, ev) {
			return ev, nil
		}
	}
}

// record reads one line into ev and reports whether it is a connection
// event.
func (d *jsonDecoder) record(line []byte, ev *Event) bool {
	line = bytes.TrimLeft(line, " \t")
	if len(line) == 0 {
		return false
	}
	if line[0] != '{' {
		// The postmaster writes stderr-format lines until the collector runs.
		return d.line.parseLine(line, ev)
	}
	st := d.line.st
	st.Entries++
	// error_severity is never translated in jsonlog: only LOG and FATAL
	// records can be connection events.
	// Of the LOG records, only those whose message starts like an event
	// are worth decoding.
	if !jsonMayBeEvent(line) {
		return false
	}
	var rec jsonView
	if !scanJSON(line, &rec, &d.unq) {
		// Not the plain shape the server writes: the full decoder.
		r := &d.rec
		*r = jsonRecord{}
		if err := json.Unmarshal(line, r); err != nil {
			var te *json.UnmarshalTypeError
			if !errors.As(err, &te) {
				st.Skipped++
				return false
			}
			// A key of the wrong type: use the others.
		}
		rec = r.view()
	}
	sev := recordSeverity(string(rec.severity))
	if sev != sevLog && sev != sevFatal {
		return false
	}
	if !classifyMsg(st, sev, rec.message, ev, &d.line.nt) {
		return false
	}
	f := &d.f
	*f = fields{}
	if t, ok := d.zc.parseTimestamp(rec.timestamp); ok {
		f.time, f.hasTime = t, true
	}
	if rec.pid > 0 {
		f.pid = rec.pid
	}
	f.user = known(rec.user)
	f.db = known(rec.db)
	f.app = known(rec.app)
	f.host = known(rec.host)
	if p := rec.port; digits(p) {
		f.port = p
	}
	ev.Line = st.Lines
	f.apply(ev, &d.line.nt)
	return true
}

// jsonRecordLine is a worker's recordLine for jsonlog (records.go): every
// line but the stderr-format ones.
func jsonRecordLine() recordLine {
	var st Stats
	d := &jsonDecoder{line: stderrDecoder{st: &st}}
	return func(line []byte, ev *Event) uint8 {
		t := bytes.TrimLeft(line, " \t")
		switch {
		case len(t) == 0:
			return markOwn
		case t[0] != '{':
			return 0 // a postmaster's line before its collector runs
		case !jsonMayBeEvent(t):
			return markOwn | markEntry
		}
		st, *ev = Stats{}, Event{}
		return marksOf(st, d.record(t, ev))
	}
}

var (
	jsonSeverityKey = []byte(`"error_severity":"`)
	jsonMessageKey  = []byte(`"message":"`)
)

// severityKey returns bytes.Index(line, jsonSeverityKey). A record holds
// some forty quotes and a few '_' before the key, each a false start for
// bytes.Index; in PostgreSQL's compact form no key before it holds a
// 'y', so the key's 'y' (the first of every occurrence of the key's, in
// the same order) is looked for, and the bytes around it compared. A
// record with many 'y' before the key goes on with bytes.Index.
func severityKey(line []byte) int {
	const before = len(`"error_severit`)
	off := 0
	for tries := 0; tries < 8; tries++ {
		j := bytes.IndexByte(line[off:], 'y')
		if j < 0 {
			return -1
		}
		j += off
		if k := j - before; k >= 0 && len(line)-k >= len(jsonSeverityKey) && string(line[k:k+len(jsonSeverityKey)]) == string(jsonSeverityKey) {
			return k
		}
		off = j + 1
	}
	if i := bytes.Index(line[off:], jsonSeverityKey); i >= 0 {
		return off + i
	}
	return -1
}

// jsonMayBeEvent is a cheap look at a record before it is decoded: a FATAL
// record, or a LOG record whose message starts like an event. It knows
// only PostgreSQL's own compact form (error_severity before message, no
// spaces); any other valid JSON object (spaces after the colons as
// Python's json.dumps writes them, keys in another order or escaped, as
// log shippers re-serialise) is decoded in full, so it counts the same.
func jsonMayBeEvent(line []byte) bool {
	k := severityKey(line)
	if k < 0 {
		return true // not the compact form: decode it
	}
	rest := line[k+len(jsonSeverityKey):]
	switch {
	case bytes.HasPrefix(rest, []byte(`FATAL"`)):
		return true
	case bytes.HasPrefix(rest, []byte(`LOG"`)):
		m := bytes.Index(rest, jsonMessageKey)
		if m < 0 {
			return true // message before the severity, or spaced: decode it
		}
		return logEventStart(rest[m+len(jsonMessageKey):])
	}
	return false
}
