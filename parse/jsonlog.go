package parse

import (
	"bytes"
	"encoding/json"
	"errors"
)

// jsonState reads jsonlog (PostgreSQL 15+): one JSON object per line,
// keys absent when empty.
type jsonState struct {
	rec jsonRecord
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

var (
	jsonLog   = []byte(`"error_severity":"LOG"`)
	jsonFatal = []byte(`"error_severity":"FATAL"`)
)

func (r *Reader) readJSON() (Event, error) {
	if r.js == nil {
		r.js = &jsonState{}
	}
	for {
		line, err := r.readLine()
		if err != nil {
			r.err = err
			return Event{}, err
		}
		var ev Event
		if r.jsonLine(line, &ev) {
			return ev, nil
		}
	}
}

func (r *Reader) jsonLine(line []byte, ev *Event) bool {
	line = bytes.TrimLeft(line, " \t")
	if len(line) == 0 {
		return false
	}
	if line[0] != '{' {
		// The postmaster writes stderr-format lines until the collector runs.
		return r.parseLine(line, ev)
	}
	r.stats.Entries++
	// error_severity is never translated in jsonlog: only LOG and FATAL
	// records can be connection events.
	// Of the LOG records, only those whose message starts like an event
	// are worth decoding.
	if !jsonMayBeEvent(line) {
		return false
	}
	rec := &r.js.rec
	*rec = jsonRecord{}
	if err := json.Unmarshal(line, rec); err != nil {
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) {
			r.stats.Skipped++
			return false
		}
		// A key of the wrong type: use the others.
	}
	sev := recordSeverity(rec.Severity)
	if sev != sevLog && sev != sevFatal {
		return false
	}
	if !r.classifyMsg(sev, []byte(rec.Message), ev) {
		return false
	}
	f := &r.f
	*f = fields{}
	if t, ok := r.zc.parseTimestamp([]byte(rec.Timestamp)); ok {
		f.time, f.hasTime = t, true
	}
	if rec.PID > 0 {
		f.pid = rec.PID
	}
	f.user = optBytes(rec.User)
	f.db = optBytes(rec.DBName)
	f.app = optBytes(rec.App)
	f.host = optBytes(rec.RemoteHost)
	if p := rec.RemotePort; digits(p) {
		f.port = p
	}
	ev.Line = r.stats.Lines
	r.applyFields(ev)
	return true
}

var (
	jsonSeverityKey = []byte(`_severity":"`)
	jsonMessageKey  = []byte(`"message":"`)
)

// jsonMayBeEvent is a cheap look at a record before it is decoded: a FATAL
// record, or a LOG record whose message starts like an event. The server
// writes error_severity before message; a record that has them the other
// way round (or escaped) is decoded anyway.
func jsonMayBeEvent(line []byte) bool {
	k := bytes.Index(line, jsonSeverityKey)
	if k < 0 || k < len(`"error`) || string(line[k-len(`"error`):k]) != `"error` {
		return bytes.Contains(line, jsonFatal) || bytes.Contains(line, jsonLog)
	}
	rest := line[k+len(jsonSeverityKey):]
	switch {
	case bytes.HasPrefix(rest, []byte(`FATAL"`)):
		return true
	case bytes.HasPrefix(rest, []byte(`LOG"`)):
		m := bytes.Index(rest, jsonMessageKey)
		if m < 0 {
			return bytes.Contains(line, jsonMessageKey) // before the severity
		}
		return logEventStart(rest[m+len(jsonMessageKey):])
	}
	return false
}

func optBytes(s *string) []byte {
	if s == nil {
		return nil
	}
	return known([]byte(*s))
}
