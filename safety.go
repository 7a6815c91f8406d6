package main

import (
	"compress/gzip"
	"errors"
	"io"
	"time"
)

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
