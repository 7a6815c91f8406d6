package parse

import (
	"encoding/csv"
	"errors"
	"io"
	"strings"
)

// csvState reads csvlog records. The column set depends on the server
// version: 23 columns in 12, 24 in 13 (backend_type), 26 in 14 and later
// (leader_pid, query_id). Records may span lines (quoted newlines).
type csvState struct {
	cr  *csv.Reader
	lim *csvLimit
}

// csvLimit bounds a csvlog record. encoding/csv has no limit of its own:
// a quote that never closes (a record cut by a crash, a corrupt file)
// would read the rest of the input into one field, holding it all in
// memory and losing every record after it. After MaxLine bytes without
// a record, csvLimit closes the quote and the record itself (a quote and
// a newline), so that record is skipped and reading goes on.
type csvLimit struct {
	r   io.Reader
	n   int // bytes passed on since the last record
	cut int // records cut
}

func (l *csvLimit) Read(p []byte) (int, error) {
	if l.n >= MaxLine {
		l.n = 0
		l.cut++
		return copy(p, "\"\n"), nil
	}
	if room := MaxLine - l.n; len(p) > room {
		p = p[:room]
	}
	n, err := l.r.Read(p)
	l.n += n
	return n, err
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
		lim := &csvLimit{r: r.br}
		cr := csv.NewReader(lim)
		cr.ReuseRecord = true
		cr.FieldsPerRecord = -1
		r.csv = &csvState{cr: cr, lim: lim}
	}
	cr := r.csv.cr
	for {
		rec, err := cr.Read()
		r.csv.lim.n = 0
		if r.csv.lim.cut > 0 {
			r.stats.Truncated += r.csv.lim.cut
			r.csv.lim.cut = 0
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				// A malformed or truncated record: skip it, keep going.
				r.stats.Skipped++
				r.stats.Lines = pe.Line
				continue
			}
			if err != io.EOF {
				r.err = err
			} else {
				r.err = io.EOF
			}
			return Event{}, r.err
		}
		line, _ := cr.FieldPos(0)
		last, _ := cr.FieldPos(len(rec) - 1)
		r.stats.Lines = last + strings.Count(rec[len(rec)-1], "\n")
		var ev Event
		if r.csvRecord(rec, &ev) {
			ev.Line = line
			return ev, nil
		}
	}
}

// csvRecord reads one csvlog record into ev and reports whether it is a
// connection event.
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
	if len(msg) == 0 || !localStart[msg[0]] {
		return false
	}
	tr, _ := localize(msg)
	if tr != nil && classify(sev, tr, ev) {
		r.stats.Localized++
		return true
	}
	return false
}

// recordSeverity maps a csvlog or jsonlog severity to what classify
// needs. csvlog severities are translated with lc_messages; jsonlog's
// are not.
func recordSeverity(s string) severity {
	switch s {
	case "LOG":
		return sevLog
	case "FATAL":
		return sevFatal
	}
	if sev, ok := translatedSeverity[s]; ok {
		return sev
	}
	return sevOther
}

// translatedSeverity holds the LOG and FATAL words of the translations
// that change them (de, fr, es, ja, pt_BR and id keep LOG and FATAL).
var translatedSeverity = map[string]severity{
	"LOGG": sevLog, "СООБЩЕНИЕ": sevLog, "ЗАПИСУВАННЯ": sevLog, "DZIENNIK": sevLog, "로그": sevLog, "日志": sevLog,
	"FATALE": sevFatal, "FATALT": sevFatal, "ВАЖНО": sevFatal, "ФАТАЛЬНО": sevFatal, "KATASTROFALNY": sevFatal,
	"치명적오류": sevFatal, "致命错误": sevFatal, "ÖLÜMCÜL (FATAL)": sevFatal,
}
