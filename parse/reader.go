package parse

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
)

// MaxLine is the most of one line that is kept; the rest of a longer line
// is read and dropped, and counted in Stats.Truncated.
const MaxLine = 1 << 20

// Options control how a Reader reads the log.
type Options struct {
	// Format is "auto" (or empty) or "stderr".
	Format string
	// Prefix is the server's log_line_prefix exactly as in
	// postgresql.conf. Empty means detect it from the log.
	Prefix string
}

// Stats describe what a Reader has read so far.
type Stats struct {
	Lines     int    // lines read
	Entries   int    // log entries recognised (a severity after a prefix)
	Skipped   int    // non-blank lines that are neither entries nor continuations
	Truncated int    // lines longer than MaxLine, cut
	Prefix    string // the log_line_prefix used for most events
	Loose     int    // events whose prefix matched no known form
}

// A Reader reads connection events from a PostgreSQL log stream.
type Reader struct {
	br    *bufio.Reader
	fixed *Prefix
	cands []*candidate
	best  *candidate
	zc    zoneCache
	f     fields
	long  []byte
	held  []byte // a line read ahead for a DETAIL, parsed by the next Read
	hold  bool
	stats Stats
	err   error
}

type candidate struct {
	p    *Prefix
	hits int
}

// ErrFormat reports an Options.Format the Reader does not know.
var ErrFormat = errors.New("unknown log format")

// NewReader returns a Reader that reads from r. It checks Options before
// reading anything; an invalid option is reported by the first Read.
func NewReader(r io.Reader, opt Options) *Reader {
	rd := &Reader{br: bufio.NewReaderSize(r, 64<<10)}
	switch opt.Format {
	case "", "auto", "stderr":
	default:
		rd.err = fmt.Errorf("%w %q", ErrFormat, opt.Format)
	}
	if opt.Prefix != "" {
		rd.fixed = CompilePrefix(opt.Prefix)
	} else {
		for _, s := range knownPrefixes {
			rd.cands = append(rd.cands, &candidate{p: CompilePrefix(s)})
		}
	}
	return rd
}

// Stats returns counts of what has been read so far.
func (r *Reader) Stats() Stats {
	s := r.stats
	if r.fixed != nil {
		s.Prefix = r.fixed.src
	} else if r.best != nil {
		s.Prefix = r.best.p.src
	}
	return s
}

// Buffered reports whether more input is already buffered, so the next
// Read will not wait on the underlying reader for its first line.
func (r *Reader) Buffered() int { return r.br.Buffered() }

// Read returns the next connection event. At the end of the input it
// returns io.EOF; any other error is the underlying reader's.
func (r *Reader) Read() (Event, error) {
	if r.err != nil {
		return Event{}, r.err
	}
	for {
		line := r.held
		if r.hold {
			r.hold = false
		} else {
			var err error
			line, err = r.readLine()
			if err != nil {
				r.err = err
				return Event{}, err
			}
		}
		var ev Event
		if r.parseLine(line, &ev) {
			if ev.Kind == Failure && strings.HasSuffix(ev.Reason, "authentication failed") {
				r.detail(&ev)
			}
			return ev, nil
		}
	}
}

var labelDetail = []byte("DETAIL")

// detail reads the line after an authentication failure: if it is the
// failure's DETAIL, its first line goes to ev.Detail; otherwise the line
// is held for the next Read. Only the rare failure lines pay for this.
func (r *Reader) detail(ev *Event) {
	line, err := r.readLine()
	if err != nil {
		r.err = err // reported by the next Read
		return
	}
	i := bytes.Index(line, colon2)
	if i >= len(labelDetail) && bytes.Equal(line[i-len(labelDetail):i], labelDetail) {
		p := line[:i-len(labelDetail)]
		if ev.PID == 0 || !r.matchPrefix(p) || r.f.pid == ev.PID || r.f.pid == 0 {
			ev.Detail = string(line[i+len(colon2):])
			return
		}
	}
	r.held, r.hold = line, true
}

func (r *Reader) readLine() ([]byte, error) {
	line, err := r.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		r.long = append(r.long[:0], line...)
		cut := false
		for err == bufio.ErrBufferFull {
			line, err = r.br.ReadSlice('\n')
			if room := MaxLine - len(r.long); room > 0 {
				if len(line) > room {
					line, cut = line[:room], true
				}
				r.long = append(r.long, line...)
			} else {
				cut = true
			}
		}
		if cut {
			r.stats.Truncated++
		}
		line = r.long
	}
	if len(line) == 0 && err != nil {
		return nil, err
	}
	if err != nil && err != io.EOF {
		return nil, err
	}
	r.stats.Lines++
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
		if n > 1 && line[n-2] == '\r' {
			line = line[:n-2]
		}
	}
	return line, nil
}

var colon2 = []byte(":  ")

type severity uint8

const (
	sevNone severity = iota
	sevLog
	sevFatal
	sevOther  // another entry severity: ERROR, WARNING, …
	sevDetail // a follow-up line of the entry above: DETAIL, HINT, …
)

func severityOf(b []byte) severity {
	switch string(b) {
	case "LOG":
		return sevLog
	case "FATAL":
		return sevFatal
	case "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG", "PANIC",
		"DEBUG1", "DEBUG2", "DEBUG3", "DEBUG4", "DEBUG5":
		return sevOther
	case "DETAIL", "HINT", "QUERY", "CONTEXT", "LOCATION", "STATEMENT", "BACKTRACE":
		return sevDetail
	}
	return sevNone
}

// parseLine reads one stderr-format line into ev and reports whether it
// is a connection event.
func (r *Reader) parseLine(line []byte, ev *Event) bool {
	if len(line) == 0 || line[0] == '\t' {
		return false // blank, or a continuation of the entry above
	}
	i := bytes.Index(line, colon2)
	if i < 0 {
		r.stats.Skipped++
		return false
	}
	j := i
	for j > 0 && (line[j-1] >= 'A' && line[j-1] <= 'Z' || line[j-1] >= '0' && line[j-1] <= '9') {
		j--
	}
	sev := severityOf(line[j:i])
	switch sev {
	case sevNone:
		r.stats.Skipped++
		return false
	case sevDetail:
		return false
	}
	r.stats.Entries++
	msg := line[i+len(colon2):]
	// log_error_verbosity=verbose puts the SQLSTATE first: "00000: ".
	if len(msg) > 7 && msg[5] == ':' && msg[6] == ' ' && alnum(msg[:5]) {
		msg = msg[7:]
	}
	if !classify(sev, msg, ev) {
		return false
	}
	ev.Line = r.stats.Lines
	r.applyPrefix(line[:j], ev)
	return true
}

// applyPrefix reads the session fields of the prefix into ev. Values in
// the message text win for connects and disconnects; for failures the
// prefix's user and database (from the startup packet) win over names
// quoted in the text, which cannot be split reliably.
func (r *Reader) applyPrefix(p []byte, ev *Event) {
	f := &r.f
	if !r.matchPrefix(p) {
		r.stats.Loose++
		r.loose(p)
	}
	if f.hasTime {
		ev.Time = f.time
	}
	ev.PID = f.pid
	override := ev.Kind == Failure
	set := func(dst *string, v []byte) {
		if v != nil && (override || *dst == "") {
			*dst = string(v)
		}
	}
	set(&ev.User, f.user)
	if ev.Kind != Connect || !ev.Replication {
		set(&ev.DB, f.db)
	}
	set(&ev.Host, f.host)
	if ev.Port == "" && f.port != nil {
		ev.Port = string(f.port)
	}
	if ev.Kind != Connect && f.app != nil && ev.App == "" {
		ev.App = string(f.app)
	}
}

func (r *Reader) matchPrefix(p []byte) bool {
	if r.fixed != nil {
		return r.fixed.match(p, &r.f, &r.zc)
	}
	if r.best != nil && r.best.p.match(p, &r.f, &r.zc) {
		r.best.hits++
		return true
	}
	for _, c := range r.cands {
		if c == r.best || !c.p.match(p, &r.f, &r.zc) {
			continue
		}
		c.hits++
		if r.best == nil || c.hits > r.best.hits {
			r.best = c
		}
		return true
	}
	return false
}

// loose reads what it can from a prefix of unknown shape: a time stamp at
// the start and the first bracketed number as the process ID.
func (r *Reader) loose(p []byte) {
	f := &r.f
	*f = fields{}
	start := 0
	if len(p) > 0 && p[0] == '[' { // "[%m] …"
		start = 1
	}
	for end := start + 19; end <= len(p) && end < start+48; end++ {
		if end == len(p) || p[end] == ' ' || p[end] == ']' || p[end] == ':' && end > start+23 {
			if t, ok := r.zc.parseTimestamp(p[start:end]); ok {
				f.time, f.hasTime = t, true
				break
			}
		}
	}
	for k := bytes.IndexByte(p, '['); k >= 0; {
		e := k + 1
		for e < len(p) && p[e] >= '0' && p[e] <= '9' {
			e++
		}
		// "[%p]", or "[%p-%l]" / "[%p:%l]", but not "[2026-11-25 …]".
		rb := e
		if e < len(p) && (p[e] == '-' || p[e] == ':') {
			rb = e + 1
			for rb < len(p) && p[rb] >= '0' && p[rb] <= '9' {
				rb++
			}
			if rb == e+1 {
				rb = len(p) // no line number
			}
		}
		if e > k+1 && e-k-1 <= maxPIDDigits && rb < len(p) && p[rb] == ']' {
			f.pid = atoi(p[k+1 : e])
			break
		}
		n := bytes.IndexByte(p[k+1:], '[')
		if n < 0 {
			break
		}
		k += 1 + n
	}
}
