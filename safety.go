package main

import (
	"bufio"
	"compress/gzip"
	"errors"
	"io"
	"time"
)

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

// lockWithin takes t.mu if it can within d. The reader holds it while it
// writes a watch event, which blocks for as long as stdout is not read.
func (t *tracker) lockWithin(d time.Duration) bool {
	for end := time.Now().Add(d); ; time.Sleep(time.Millisecond) {
		if t.mu.TryLock() {
			return true
		}
		if time.Now().After(end) {
			return false
		}
	}
}
