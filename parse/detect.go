package parse

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
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

	// Envelopes: a platform's wrapping around each line of the server's
	// log (envelope.go). The lines inside are read in their own format.

	Kubectl       // kubectl/docker logs --timestamps (and kubectl's --prefix)
	CRI           // containerd/CRI-O log files: TIME STREAM P|F LINE
	DockerJSON    // Docker's json-file driver: {"log":…,"stream":…,"time":…}
	Journald      // journalctl -o json
	CloudNativePG // CloudNativePG's JSON, csvlog columns under "record"
	GCloud        // Google Cloud Logging entries (Cloud SQL), per line or an array
	Heroku        // Heroku logplex: TIME app[postgres.PID]: …
)

var formatNames = [...]string{
	Auto: "auto", Stderr: "stderr", CSVLog: "csvlog", JSONLog: "jsonlog", Syslog: "syslog",
	Kubectl: "kubectl", CRI: "cri", DockerJSON: "docker-json", Journald: "journald",
	CloudNativePG: "cloudnativepg", GCloud: "gcloud", Heroku: "heroku",
}

// String returns the name of f as --format takes it.
func (f Format) String() string {
	if int(f) < len(formatNames) {
		return formatNames[f]
	}
	return "auto"
}

// MarshalText returns the name of f.
func (f Format) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// UnmarshalText sets f from its name: auto, stderr, csvlog, jsonlog,
// syslog, or an envelope's (kubectl, cri, docker-json, journald,
// cloudnativepg, gcloud, heroku).
func (f *Format) UnmarshalText(b []byte) error {
	for i, n := range formatNames {
		if string(b) == n {
			*f = Format(i)
			return nil
		}
	}
	return fmt.Errorf("%w %q: must be one of %s", ErrFormat, b, strings.Join(formatNames[:], ", "))
}

// detectLimit is how much input detection looks at for its first line.
const detectLimit = 16 << 10

// detect chooses the format from the first lines of the input that are
// not blank (sniffLines). It waits only for the first of them, so a live
// input (tail -F) is detected as soon as its first line arrives.
func detect(br *bufio.Reader) (Format, error) {
	n := 1
	for {
		b, err := br.Peek(min(max(n, br.Buffered()), detectLimit))
		atEnd := err != nil || len(b) >= detectLimit
		if f, ferr, ok := sniffLines(b, atEnd); ok {
			return f, ferr
		}
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
			return Auto, err
		}
		// Wait for one more byte than is buffered.
		n = len(b) + 1
	}
}

// bom is the UTF-8 byte order mark some editors and Windows tools write
// at the start of a file. It is not part of the log: a Reader skips it.
var bom = []byte{0xef, 0xbb, 0xbf}

// skipBOM drops a byte order mark at the start of the input.
func skipBOM(br *bufio.Reader) error {
	b, err := br.Peek(len(bom))
	if bytes.Equal(b, bom) {
		_, err = br.Discard(len(bom))
		return err
	}
	if errors.Is(err, io.EOF) || errors.Is(err, bufio.ErrBufferFull) {
		return nil
	}
	return err
}

// sniff tells the format of a log from its first line.
func sniff(line []byte) Format {
	switch {
	case bytes.HasPrefix(line, []byte(`{"timestamp":`)):
		return JSONLog
	case len(bytes.TrimLeft(line, " \t")) > 0 && bytes.TrimLeft(line, " \t")[0] == '{' && bytes.Contains(line, []byte(`"error_severity"`)):
		return JSONLog // any spacing, any key order
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
