package main

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/pgtail/pgtail/format"
	"github.com/pgtail/pgtail/parse"
)

// inputStats is what reading the inputs found out about them.
type inputStats struct {
	parse.Stats             // lines, entries, format, … of the inputs read to the end
	failed      bool        // an input could not be opened or read
	live        *liveInputs // the followers, and the inputs being read
	yearFrom    string      // where the year of syslog stamps without one came from
}

// readAll reads every input in order. An input that cannot be opened or
// read is reported and the others are still read; only a failed write
// to stdout stops it.
func (t *tracker) readAll(files []string, stdin io.Reader) error {
	for _, name := range files {
		err := t.readOne(name, stdin)
		var out errOutput
		if errors.As(err, &out) {
			return err
		}
		if err != nil {
			t.mu.Lock()
			fmt.Fprintf(t.stderr, "pgtail: %v\n", err)
			t.input.failed = true
			t.mu.Unlock()
		}
	}
	return nil
}

// readOne reads one input ("-" is stdin) into the state.
func (t *tracker) readOne(name string, stdin io.Reader) error {
	in, label, closeInput, err := openInput(name, stdin)
	if err != nil {
		return err
	}
	defer closeInput()
	return t.readEvents(in, label, nil, modTime(name))
}

// readEvents reads the events of one input into the state. Under --watch
// the lines a follower fw found already written are read quietly.
// modified is when the log was last written (zero for a stream: now), for
// the year of syslog stamps without one.
func (t *tracker) readEvents(in io.Reader, label string, fw *follower, modified time.Time) error {
	// Only --json and --listen show the entry counts: only they pay for exact ones.
	pr := parse.NewReader(in, parse.Options{Format: t.cmd.Format, Prefix: t.cmd.Prefix, ExactCounts: t.cmd.JSON || t.cmd.Listen != "", Modified: modified})
	t.mu.Lock()
	live := t.input.live.begin(pr)
	t.mu.Unlock()
	defer func() {
		st := pr.Stats()
		t.mu.Lock()
		if st.Year != 0 && t.input.yearFrom == "" {
			t.input.yearFrom = "today's date (standard input)"
			if !modified.IsZero() {
				t.input.yearFrom = "the modification time of " + format.Clean(label)
			}
		}
		t.input.Add(st)
		t.input.live.end(live)
		t.mu.Unlock()
	}()
	// The events are applied under the tracker's lock, which is kept over
	// the next event while the reader has it at hand (a scan worker read
	// it: a storm's events come so), up to heldEvents, and given up before
	// any wait for input; the reader's counts so far are published with
	// it, for a report or scrape before the input ends.
	held := 0 // events applied under the lock taken last; 0: not held
	release := func() {
		live.publish()
		t.mu.Unlock()
		held = 0
	}
	defer func() {
		if held > 0 {
			release()
		}
	}()
	for ev, err := range pr.All() {
		if err != nil {
			return inputError{label, err}
		}
		if held == 0 {
			t.mu.Lock()
		}
		held++
		if ev.Kind != parse.Ready { // PostgreSQL 18 setup time: not counted (yet)
			if err := t.apply(ev, fw != nil && fw.backlog(ev.Line)); err != nil {
				return errOutput{err}
			}
		}
		if held == heldEvents || !pr.Buffered() {
			release()
		}
	}
	return nil
}

// heldEvents is how many events readEvents applies at most under one
// taking of the tracker's lock: a storm's events come some hundred
// nanoseconds apart, so the lock is never held for long.
const heldEvents = 64

// modTime returns the modification time of a regular file; zero for
// stdin, a pipe or a device.
func modTime(name string) time.Time {
	if name == "-" {
		return time.Time{}
	}
	fi, err := os.Stat(name)
	if err != nil || !fi.Mode().IsRegular() {
		return time.Time{}
	}
	return fi.ModTime()
}

// openInput opens a file ("-" is stdin) and decompresses it when it
// starts with gzip's magic bytes. label names it in messages.
func openInput(name string, stdin io.Reader) (r io.Reader, label string, closeInput func(), err error) {
	var in io.Reader = stdin
	label, closeInput = "stdin", func() {}
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, "", nil, inputError{name, err}
		}
		in, label, closeInput = f, name, func() { f.Close() }
	}
	br := bufio.NewReaderSize(in, 64<<10)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := newGzipInput(br)
		if err != nil {
			closeInput()
			return nil, "", nil, inputError{label, err}
		}
		return zr, label, closeInput, nil
	}
	if strings.HasSuffix(name, ".gz") {
		closeInput()
		return nil, "", nil, inputError{label, errors.New("not in gzip format")}
	}
	return br, label, closeInput, nil
}

// errGzipCut is what a gzip stream that stops before its end means: the
// file was cut short (a copy in progress, a full disk). What came before
// the cut has been read and counted.
var errGzipCut = errors.New("gzip data ends early: the file is truncated")

// errGzipGarbage is what gzip(1) says of bytes after the last member that
// are neither a member nor zeros (exit 2, a warning): all was read.
var errGzipGarbage = errors.New("decompression OK, trailing garbage ignored")

// gzipInput reads the members of a gzip file one after the other, as
// gzip(1) does: zeros after the last member (tape padding) end it
// quietly, anything else after it is trailing garbage.
type gzipInput struct {
	zr *gzip.Reader
	br *bufio.Reader // what zr reads: positioned at a member's end
}

func newGzipInput(br *bufio.Reader) (*gzipInput, error) {
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, err
	}
	zr.Multistream(false)
	return &gzipInput{zr, br}, nil
}

func (g *gzipInput) Read(p []byte) (int, error) {
	for {
		n, err := g.zr.Read(p)
		if err == io.EOF {
			err = g.next()
			if err == nil && n == 0 {
				continue
			}
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			err = errGzipCut
		}
		return n, err
	}
}

// next starts the member after the one that ended, or returns io.EOF at
// the end of the file or of its zero padding.
func (g *gzipInput) next() error {
	magic, _ := g.br.Peek(2)
	switch {
	case len(magic) == 0:
		return io.EOF
	case len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b:
		if err := g.zr.Reset(g.br); err != nil {
			return err
		}
		g.zr.Multistream(false)
		return nil
	}
	for {
		b, err := g.br.ReadByte()
		if err == io.EOF {
			return io.EOF
		}
		if err != nil {
			return err
		}
		if b != 0 {
			return errGzipGarbage
		}
	}
}
