package parse

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Format is the log destination a Reader reads: PostgreSQL's
// log_destination names, or Auto to detect it from the input.
type Format uint8

const (
	Auto    Format = iota // detect from the first line (not yet detected)
	Stderr                // log_destination = 'stderr'
	CSVLog                // 'csvlog'
	JSONLog               // 'jsonlog' (PostgreSQL 15+)
	Syslog                // 'syslog', as a syslog daemon writes it to a file
)

var formatNames = [...]string{Auto: "auto", Stderr: "stderr", CSVLog: "csvlog", JSONLog: "jsonlog", Syslog: "syslog"}

// String returns the name of f as --format takes it.
func (f Format) String() string {
	if int(f) < len(formatNames) {
		return formatNames[f]
	}
	return "auto"
}

// MarshalText returns the name of f.
func (f Format) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// UnmarshalText sets f from its name: auto, stderr, csvlog, jsonlog or
// syslog.
func (f *Format) UnmarshalText(b []byte) error {
	for i, n := range formatNames {
		if string(b) == n {
			*f = Format(i)
			return nil
		}
	}
	return fmt.Errorf("%w %q: must be auto, stderr, csvlog, jsonlog or syslog", ErrFormat, b)
}

// detectLimit is how much input detection looks at for its first line.
const detectLimit = 16 << 10

// detect chooses the format from the first non-blank line of the input.
// It waits only for that line, so a live input (tail -F) is detected as
// soon as its first line arrives.
func detect(br *bufio.Reader) (Format, error) {
	n := 1
	for {
		b, err := br.Peek(min(max(n, br.Buffered()), detectLimit))
		if len(b) > 0 {
			// Skip blank lines at the start.
			t := bytes.TrimLeft(b, "\r\n")
			if k := bytes.IndexByte(t, '\n'); k >= 0 || len(b) >= detectLimit || err != nil {
				if k >= 0 {
					t = t[:k]
				}
				if len(t) > 0 || err != nil {
					return sniff(t), nil
				}
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, bufio.ErrBufferFull) {
				return sniff(bytes.TrimLeft(b, "\r\n")), nil
			}
			return Auto, err
		}
		// Wait for one more byte than is buffered.
		n = len(b) + 1
	}
}

// sniff tells the format of a log from its first line.
func sniff(line []byte) Format {
	switch {
	case bytes.HasPrefix(line, []byte(`{"timestamp":`)):
		return JSONLog
	case len(line) > 0 && line[0] == '{' && bytes.Contains(line, []byte(`"error_severity":`)):
		return JSONLog
	case isCSVStart(line):
		return CSVLog
	case syslogHeader(line) > 0:
		return Syslog
	}
	return Stderr
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
