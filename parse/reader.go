package parse

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"iter"
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
//
// It is built like a lexer and a parser: a lineSource (lines.go; for
// stderr logs the block pipeline of pipeline.go) hands out lines, and a
// decoder for the log's format (stderr.go, csv.go, jsonlog.go, syslog.go)
// turns them into events.
type Reader struct {
	in     *bufio.Reader
	opt    Options
	serial bool       // stderr line by line, not on the fast path (tests compare the two)
	ps     *prefixSet // the prefixes of stderr-format lines
	dec    decoder    // chosen by the first Read
	year   yearGuess  // of traditional syslog stamps
	stats  Stats
	err    error
}

// A decoder turns the lines of one log format into events.
type decoder interface {
	// decode returns the next event: the decoder's own or the one a scan
	// worker read in its block (not copied: an event is some 250 bytes),
	// valid until the next call. At the end of the input it returns
	// io.EOF, or the underlying reader's error.
	decode() (*Event, error)
}

// ErrFormat reports an Options.Format the Reader does not know.
var ErrFormat = errors.New("unknown log format")

// NewReader returns a Reader that reads from r. It checks Options before
// reading anything; an invalid option is reported by the first Read.
func NewReader(r io.Reader, opt Options) *Reader {
	rd := &Reader{in: bufio.NewReaderSize(r, 64<<10), opt: opt, ps: newPrefixSet(opt.Prefix), year: yearGuess{ref: opt.Modified}}
	rd.stats.Format = opt.Format
	if int(opt.Format) >= len(formatNames) {
		rd.err = fmt.Errorf("%w %d", ErrFormat, opt.Format)
	}
	return rd
}

// Stats returns counts of what has been read so far.
func (r *Reader) Stats() Stats {
	s := r.stats
	s.Prefix = r.ps.name()
	s.Year = r.year.first
	return s
}

// Read returns the next connection event. At the end of the input it
// returns io.EOF; any other error is the underlying reader's.
func (r *Reader) Read() (Event, error) {
	ev, err := r.next()
	if err != nil {
		return Event{}, err
	}
	return *ev, nil
}

// next is Read without the copy: the event is the decoder's own or the
// one a scan worker read, valid until the next read.
func (r *Reader) next() (*Event, error) {
	if r.err != nil {
		return nil, r.err
	}
	if r.dec == nil {
		if err := r.start(); err != nil {
			r.err = err
			return nil, err
		}
	}
	ev, err := r.dec.decode()
	if err != nil {
		r.err = err
		return nil, err
	}
	return ev, nil
}

// All returns an iterator over the events of the input. It stops at the
// end of the input, which it does not yield, or after yielding the first
// other error (with a nil event). Each event is the Reader's own, valid
// until the next step of the loop: a caller that keeps one copies it.
func (r *Reader) All() iter.Seq2[*Event, error] {
	return func(yield func(*Event, error) bool) {
		for {
			ev, err := r.next()
			if err == io.EOF {
				return
			}
			if !yield(ev, err) || err != nil {
				return
			}
		}
	}
}

// Buffered reports whether the next Read returns an event without
// waiting for input: on the stderr fast path, when a scan worker has read
// it already. It may report false where no wait would come; a caller can
// hold a lock over the events it reports (the tracker does, so as not to
// take its lock for every event of a storm).
func (r *Reader) Buffered() bool {
	d, ok := r.dec.(*stderrDecoder)
	return ok && r.err == nil && d.buffered()
}

// records returns the line source of a record format: lines, or on the
// fast path a recSource whose workers read lines with newLine's.
func (r *Reader) records(lines lineSource, newLine func() recordLine) lineSource {
	if r.serial {
		return lines
	}
	return &recSource{in: r.in, st: &r.stats, work: recordWorker(newLine)}
}

// start detects the format if it is not given and sets up its line
// source and decoder.
func (r *Reader) start() error {
	if err := skipBOM(r.in); err != nil {
		return err
	}
	looks, err := detect(r.in)
	if err != nil {
		return err
	}
	r.stats.Looks = looks
	if r.stats.Format == Auto {
		r.stats.Detected = true
		r.stats.Format = looks
	}
	st := &r.stats
	lines := newLineReader(r.in, st)
	switch r.stats.Format {
	case CSVLog:
		src := r.records(lines, csvRecordLine)
		r.dec = &csvDecoder{src: src, pre: preRead(src), st: st}
	case JSONLog:
		src := r.records(lines, jsonRecordLine)
		r.dec = &jsonDecoder{line: stderrDecoder{src: src, st: st, ps: r.ps}, pre: preRead(src)}
	case Syslog:
		src := &syslogSource{lines: lines, st: st}
		r.dec = &syslogDecoder{src: src, line: stderrDecoder{src: src, st: st, ps: r.ps}, year: &r.year}
	case Kubectl, CRI, DockerJSON, Journald, CloudNativePG, GCloud, Heroku:
		return r.startEnvelope(lines)
	default:
		var src lineSource = lines
		if !r.serial {
			src = &blockSource{in: r.in, st: st, exact: r.opt.ExactCounts}
		}
		r.dec = &stderrDecoder{src: src, st: st, ps: r.ps}
	}
	return nil
}
