package parse

import (
	"bufio"
	"io"
)

// A lineSource hands the decoders the lines of the input, without their
// ends ("\n" or "\r\n"), and counts them in Stats.Lines (so Stats.Lines is
// the number of the line last taken). A line is valid until the next call
// to next or peek: copy what must outlive it.
//
// A source may hand out only the lines that can matter: the stderr fast
// path (pipeline.go) returns, once the first entry is recognised, only the
// candidate lines (scan.go), and counts the others itself. peek always
// looks at the line right after the last one taken, whatever it holds.
type lineSource interface {
	// next takes the next line worth decoding; at the end of the input it
	// returns io.EOF, or the underlying reader's error.
	next() ([]byte, error)
	// peek returns the line right after the last one taken, without
	// taking it; false at the end of the input or on an error (which the
	// next call to next returns).
	peek() ([]byte, bool)
	// take takes the line that peek returned.
	take()
}

// lineReader is the serial lineSource: every line, in turn, from a bufio.Reader.
type lineReader struct {
	br   *bufio.Reader
	st   *Stats
	long []byte // a line longer than the bufio buffer

	peeked  []byte // the line peek read ahead, or its error
	peekErr error
	hasPeek bool
}

func newLineReader(br *bufio.Reader, st *Stats) *lineReader {
	return &lineReader{br: br, st: st}
}

func (l *lineReader) next() ([]byte, error) {
	if !l.hasPeek {
		l.peeked, l.peekErr = l.read()
	}
	l.hasPeek = false
	if l.peekErr != nil {
		l.hasPeek = true // the error stays
		return nil, l.peekErr
	}
	l.st.Lines++
	return l.peeked, nil
}

func (l *lineReader) peek() ([]byte, bool) {
	if !l.hasPeek {
		l.peeked, l.peekErr = l.read()
		l.hasPeek = true
	}
	return l.peeked, l.peekErr == nil
}

func (l *lineReader) take() {
	if l.hasPeek && l.peekErr == nil {
		l.hasPeek = false
		l.st.Lines++
	}
}

// read reads one line, cut to MaxLine (Stats.Truncated counts the cut).
func (l *lineReader) read() ([]byte, error) {
	line, err := l.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		l.long = append(l.long[:0], line...)
		cut := false
		for err == bufio.ErrBufferFull {
			line, err = l.br.ReadSlice('\n')
			if room := MaxLine - len(l.long); room > 0 {
				if len(line) > room {
					line, cut = line[:room], true
				}
				l.long = append(l.long, line...)
			} else {
				cut = true
			}
		}
		if cut {
			l.st.Truncated++
		}
		line = l.long
	}
	if len(line) == 0 && err != nil {
		return nil, err
	}
	if err != nil && err != io.EOF {
		return nil, err
	}
	return trimEOL(line), nil
}

// trimEOL cuts the line end: "\n" or "\r\n".
func trimEOL(line []byte) []byte {
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
		if n > 1 && line[n-2] == '\r' {
			line = line[:n-2]
		}
	}
	return line
}
