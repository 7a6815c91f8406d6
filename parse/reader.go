package parse

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// MaxLine is the most of one line that is kept; the rest of a longer line
// is read and dropped, and counted in Stats.Truncated.
const MaxLine = 1 << 20

// Options control how a Reader reads the log.
type Options struct {
	// Format is the log's format; Auto (the zero value) detects it from
	// the first line of the input.
	Format Format
	// Prefix is the server's log_line_prefix exactly as in
	// postgresql.conf. Empty means detect it from the log.
	Prefix string
	// ExactCounts makes the stderr fast path classify every line for
	// Stats.Entries and Skipped. Without it they are exact until the
	// first entry is recognised (so "no entry at all" is exact) and then
	// count only the lines that may hold an event: classifying every
	// line is a third of the work on a busy log.
	ExactCounts bool
	// Modified is when the log was last written (a file's modification
	// time): traditional syslog time stamps have no year, and the year is
	// chosen so that the log ends by then. Zero means now (a stream).
	Modified time.Time
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

	format  Format
	back    []byte // a line pushed back by unreadLine
	hasBack bool
	csv     *csvState
	js      *jsonState

	sysStamp    [40]byte // the syslog time stamp of the current line
	sysStampLen int
	sysHost     string    // the host of the current syslog line
	year        yearGuess // for traditional syslog stamps

	// An envelope around the lines (envelope.go), and what it said about
	// the line last read; inner is the format of the lines inside.
	env      envelope
	meta     envMeta
	backMeta envMeta
	inner    Format

	// The stderr fast path (scan.go), for stderr logs only.
	serial  bool      // read line by line (tests compare the two paths)
	pipe    *pipeline // started by the first Read
	blk     *block    // the block being parsed
	off     int       // where parsing stopped in blk
	ci      int       // next candidate of blk
	blkLine int       // lines of blk counted in stats.Lines
	counted int       // blk's Entries/Skipped: 0 counted by its worker, >0 from there on by endBlock, <0 line by line
	exact   bool      // Options.ExactCounts
	endE    int       // Entries and Skipped that the last endBlock added
	endS    int
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
	rd.format = opt.Format
	if int(opt.Format) >= len(formatNames) {
		rd.err = fmt.Errorf("%w %d", ErrFormat, opt.Format)
	}
	rd.exact = opt.ExactCounts
	rd.year.ref = opt.Modified
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
	s.Format = r.format
	s.Year = r.year.first
	return s
}

// Read returns the next connection event. At the end of the input it
// returns io.EOF; any other error is the underlying reader's.
func (r *Reader) Read() (Event, error) {
	if r.err != nil {
		return Event{}, r.err
	}
	if r.format == Auto {
		if err := r.detect(); err != nil {
			r.err = err
			return Event{}, err
		}
	}
	if r.env == nil && r.format > Syslog {
		if err := r.startEnvelope(); err != nil {
			r.err = err
			return Event{}, err
		}
	}
	if r.env != nil {
		return r.readEnvelope()
	}
	switch r.format {
	case CSVLog:
		return r.readCSV()
	case JSONLog:
		return r.readJSON()
	case Stderr:
		if !r.serial {
			var ev Event
			if err := r.readFast(&ev); err != nil {
				r.err = err
				return Event{}, err
			}
			return ev, nil
		}
	}
	return r.readSerial()
}

// readSerial reads stderr or syslog lines one at a time, from the input
// or from an envelope.
func (r *Reader) readSerial() (Event, error) {
	for {
		line := r.held
		var m envMeta
		if r.hold {
			r.hold = false
			m = r.backMeta
		} else {
			var err error
			line, err = r.readLine()
			if err != nil {
				r.err = err
				return Event{}, err
			}
			m = r.meta
		}
		if r.format == Syslog {
			var pid int
			if line, pid = r.syslogLine(line); line == nil {
				continue
			}
			var ev Event
			loose := r.stats.Loose
			if r.parseLine(line, &ev) {
				if ev.Time.IsZero() {
					ev.Time = r.syslogStampTime(r.sysStamp[:r.sysStampLen])
				}
				r.envelopeKnows(&ev, envMeta{pid: pid, origin: r.sysHost}, loose)
				return ev, nil
			}
			continue
		}
		var ev Event
		loose := r.stats.Loose
		if r.parseLine(line, &ev) {
			r.envelopeKnows(&ev, m, loose)
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
	if !r.takeDetail(ev, line) {
		r.held, r.hold = line, true
		r.backMeta = r.meta
	}
}

// takeDetail sets ev.Detail and reports true if line is the DETAIL of the
// failure ev.
func (r *Reader) takeDetail(ev *Event, line []byte) bool {
	i := bytes.Index(line, colon2)
	if i >= len(labelDetail) && bytes.Equal(line[i-len(labelDetail):i], labelDetail) {
		p := line[:i-len(labelDetail)]
		if ev.PID == 0 || !r.matchPrefix(p) || r.f.pid == ev.PID || r.f.pid == 0 {
			ev.Detail = string(line[i+len(colon2):])
			return true
		}
	}
	return false
}

func (r *Reader) readLine() ([]byte, error) {
	if r.hasBack {
		r.hasBack = false
		r.stats.Lines++
		r.meta = r.backMeta
		return r.back, nil
	}
	if r.env != nil {
		line, m, err := r.env.next()
		r.meta = m
		return line, err
	}
	return r.rawLine()
}

// rawLine reads one line of the input.
func (r *Reader) rawLine() ([]byte, error) {
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
		if len(msg) == 0 || !localStart[msg[0]] {
			if hasHighByte(msg) {
				r.stats.Foreign++
			}
			return false
		}
		// A translated message (lc_messages): German and French are known.
		if hasHighByte(msg) {
			r.stats.Foreign++
		}
		tr, cont := localize(msg)
		if cont {
			// The French disconnection continues on a tab line.
			line = append([]byte(nil), line...)
			head := append([]byte(nil), msg...)
			if next, ok := r.continuation(); ok {
				head = append(append(head, '\n'), next...)
				tr, _ = localize(head)
			}
		}
		if tr == nil || !classify(sev, tr, ev) {
			return false
		}
		r.stats.Localized++
		ev.Line = r.stats.Lines
		if cont {
			ev.Line--
		}
		r.applyPrefix(line[:j], ev)
		return true
	}
	ev.Line = r.stats.Lines
	r.applyPrefix(line[:j], ev)
	return true
}

func hasHighByte(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

// continuation reads the next line if it continues the entry above (it
// starts with a TAB, or #011 under rsyslog) and returns it without the
// tab; any other line is pushed back for the next read.
func (r *Reader) continuation() ([]byte, bool) {
	if r.pipe != nil {
		return r.fastContinuation()
	}
	line, err := r.readLine()
	if err != nil {
		if err != io.EOF {
			r.err = err
		}
		return nil, false
	}
	raw := line
	if r.format == Syslog {
		if line, _ = r.syslogLine(line); line == nil {
			line = raw[:0]
		}
	}
	if len(line) > 0 && line[0] == '\t' {
		return append([]byte(nil), line[1:]...), true
	}
	r.unreadLine(raw)
	return nil, false
}

// unreadLine makes the next readLine return line again.
func (r *Reader) unreadLine(line []byte) {
	r.back = append(r.back[:0], line...)
	r.hasBack = true
	r.backMeta = r.meta
	r.stats.Lines--
}

// applyPrefix reads the session fields of the prefix into ev. Values in
// the message text win for connects and disconnects; for failures the
// prefix's user and database (from the startup packet) win over names
// quoted in the text, which cannot be split reliably.
func (r *Reader) applyPrefix(p []byte, ev *Event) {
	if !r.matchPrefix(p) {
		r.stats.Loose++
		r.loose(p)
	}
	r.applyFields(ev)
}

// applyFields copies the session fields read from a prefix, or from the
// columns of a csvlog or jsonlog record, into ev.
func (r *Reader) applyFields(ev *Event) {
	f := &r.f
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
		s := k + 1
		for s < len(p) && p[s] == ' ' { // padded: %5p
			s++
		}
		e := s
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
		if e > s && e-s <= maxPIDDigits && rb < len(p) && p[rb] == ']' {
			f.pid = atoi(p[s:e])
			break
		}
		n := bytes.IndexByte(p[k+1:], '[')
		if n < 0 {
			break
		}
		k += 1 + n
	}
}
