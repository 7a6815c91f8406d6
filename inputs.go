package main

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/pgtail/pgtail/parse"
)

// inputStats is what reading the inputs found out about them.
type inputStats struct {
	parse.Stats      // lines, entries, format, … of all inputs together
	failed      bool // an input could not be opened or read
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
	// Only --json shows the entry counts: only it pays for exact ones.
	pr := parse.NewReader(in, parse.Options{Format: t.cmd.Format, Prefix: t.cmd.Prefix, ExactCounts: t.cmd.JSON})
	defer func() {
		t.mu.Lock()
		t.input.Add(pr.Stats())
		t.mu.Unlock()
	}()
	for ev, err := range pr.All() {
		if err != nil {
			return inputError{label, err}
		}
		if ev.Kind == parse.Ready {
			continue // PostgreSQL 18 setup time: not counted (yet)
		}
		if err := t.apply(ev); err != nil {
			return errOutput{err}
		}
	}
	return nil
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
		zr, err := gzip.NewReader(br)
		if err != nil {
			closeInput()
			return nil, "", nil, inputError{label, err}
		}
		return gzipInput{zr}, label, closeInput, nil
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

type gzipInput struct{ *gzip.Reader }

func (g gzipInput) Read(p []byte) (int, error) {
	n, err := g.Reader.Read(p)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = errGzipCut
	}
	return n, err
}
