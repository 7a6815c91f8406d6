package parse

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// format is the log destination a Reader reads.
type format uint8

const (
	fmtUnknown format = iota // not yet detected
	fmtStderr
	fmtCSV
	fmtJSON
	fmtSyslog
)

func (f format) String() string {
	switch f {
	case fmtStderr:
		return "stderr"
	case fmtCSV:
		return "csvlog"
	case fmtJSON:
		return "jsonlog"
	case fmtSyslog:
		return "syslog"
	}
	return "auto"
}

// detectLimit is how much input detection looks at for its first line.
const detectLimit = 16 << 10

// detect chooses the format from the first non-blank line of the input.
// It waits only for that line, so a live input (tail -F) is detected as
// soon as its first line arrives.
func (r *Reader) detect() error {
	r.stats.Detected = true
	n := 1
	for {
		b, err := r.br.Peek(min(max(n, r.br.Buffered()), detectLimit))
		if len(b) > 0 {
			// Skip blank lines at the start.
			t := bytes.TrimLeft(b, "\r\n")
			if k := bytes.IndexByte(t, '\n'); k >= 0 || len(b) >= detectLimit || err != nil {
				if k >= 0 {
					t = t[:k]
				}
				if len(t) > 0 || err != nil {
					r.format = sniff(t)
					return nil
				}
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, bufio.ErrBufferFull) {
				r.format = sniff(bytes.TrimLeft(b, "\r\n"))
				return nil
			}
			return err
		}
		// Wait for one more byte than is buffered.
		n = len(b) + 1
	}
}

// sniff tells the format of a log from its first line.
func sniff(line []byte) format {
	switch {
	case bytes.HasPrefix(line, []byte(`{"timestamp":`)):
		return fmtJSON
	case len(line) > 0 && line[0] == '{' && bytes.Contains(line, []byte(`"error_severity":`)):
		return fmtJSON
	case isCSVStart(line):
		return fmtCSV
	case syslogHeader(line) > 0:
		return fmtSyslog
	}
	return fmtStderr
}

// isCSVStart reports whether line starts like a csvlog record: a
// PostgreSQL time stamp, then a comma.
func isCSVStart(line []byte) bool {
	k := bytes.IndexByte(line, ',')
	if k < 21 || k > 40 {
		return false
	}
	var zc zoneCache
	_, ok := zc.parseTimestamp(line[:k])
	return ok
}
