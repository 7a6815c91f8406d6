package parse

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// sniffLines tells the format, envelope or not, from the first lines in
// b. It skips blank lines and journalctl's "-- Logs begin at …" lines.
// It reports false when it needs more input (the first line is not
// complete and more may come).
func sniffLines(b []byte, atEnd bool) (Format, error, bool) {
	for len(b) > 0 {
		line, rest, complete := bytes.Cut(b, []byte{'\n'})
		if !complete && !atEnd {
			return Auto, nil, false
		}
		b = rest
		line = bytes.TrimRight(line, "\r")
		t := bytes.TrimSpace(line)
		if len(t) == 0 || bytes.HasPrefix(line, []byte("-- ")) {
			continue
		}
		f, err := sniffEnvelope(line)
		return f, err, true
	}
	if !atEnd {
		return Auto, nil, false
	}
	return Stderr, nil, true
}

// sniffEnvelope tells the format of a log from its first line, envelopes
// first: a server's own line never starts like one of them.
func sniffEnvelope(line []byte) (Format, error) {
	switch t := bytes.TrimSpace(line); {
	case kubectlPrefix(line) > 0:
		return Kubectl, nil
	case len(t) > 0 && t[0] == '[' && (len(t) == 1 || bytes.TrimLeft(t[1:], " \t")[0] == '{'):
		return GCloud, nil // a JSON array: gcloud logging read --format=json
	case len(t) > 0 && t[0] == '{':
		return sniffJSON(t)
	case isCRI(line):
		return CRI, nil
	case isHeroku(line):
		return Heroku, nil
	}
	if _, n := rfc3339Stamp(line); n > 0 && !isSyslogRFC3339(line) {
		return Kubectl, nil
	}
	return sniff(line), nil
}

// isSyslogRFC3339 reports whether a line that starts with an RFC 3339
// time is a syslog line: "TIME HOST TAG[PID]: ", one word between the
// time and the tag. A server line behind kubectl's time stamp
// ("TIME 2026-11-25 20:50:01 UTC [123]: ") has more.
func isSyslogRFC3339(line []byte) bool {
	h := syslogHeader(line)
	if h == 0 {
		return false
	}
	_, n := rfc3339Stamp(line)
	head := line[n : h-3]
	return bytes.Count(head, []byte{' '}) == 1
}

// sniffJSON tells which JSON log a first line is.
func sniffJSON(line []byte) (Format, error) {
	has := func(k string) bool { return bytes.Contains(line, []byte(k)) }
	switch {
	case has(`"logger":`) && has(`"ts":`):
		return CloudNativePG, nil
	case bytes.HasPrefix(line, []byte(`{"log":`)) || has(`"log":`) && has(`"stream":`):
		return DockerJSON, nil
	case has(`"__REALTIME_TIMESTAMP":`) || has(`"__CURSOR":`):
		return Journald, nil
	case has(`"textPayload":`) || has(`"insertId":`) || has(`"logName":`):
		return GCloud, nil
	case bytes.HasPrefix(line, []byte(`{"timestamp":`)) || has(`"error_severity"`): // any spacing around the colon
		return JSONLog, nil
	}
	return Auto, unknownJSON(line)
}

// unknownJSON describes a JSON line pgtail cannot read by its keys.
func unknownJSON(line []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(line, &m); err != nil {
		return fmt.Errorf("%w: the first line is not a JSON object (%v)", ErrUnknownJSON, err)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if len(keys) > 10 {
		keys = append(keys[:10], "…")
	}
	return fmt.Errorf("%w (keys %s); it reads jsonlog, CloudNativePG, Docker json-file, journalctl -o json and Google Cloud Logging entries: pass the server's own lines, or --format", ErrUnknownJSON, strings.Join(keys, ", "))
}

// tradStampLen returns the length of a traditional syslog time stamp at
// the start of line, "Nov 25 21:42:50" or, from journalctl -o
// short-precise, "Nov 25 21:42:50.655171", when a space follows it; else 0.
func tradStampLen(line []byte) int {
	if len(line) < 16 || line[3] != ' ' || line[6] != ' ' || line[9] != ':' || line[12] != ':' {
		return 0
	}
	n := 15
	if line[n] == '.' {
		n++
		for n < len(line) && n < 26 && line[n] >= '0' && line[n] <= '9' {
			n++
		}
	}
	if n >= len(line) || line[n] != ' ' {
		return 0
	}
	return n
}

// syslogStampLen returns the length of the time stamp at the start of a
// syslog line (RFC 3339 or traditional).
func syslogStampLen(line []byte) int {
	if len(line) > 0 && line[0] >= '0' && line[0] <= '9' {
		return bytes.IndexByte(line[:min(len(line), 48)], ' ')
	}
	return tradStampLen(line)
}

var months = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// yearGuess dates traditional syslog time stamps, which have no year,
// as syslog readers do: the log ends at ref (the file's modification
// time, or now for a stream), so the first stamp is in ref's year unless
// that puts it after ref, and a month that goes back (December, then
// January) moves to the next year. Stamps are local time.
type yearGuess struct {
	ref   time.Time
	year  int // of the last stamp; 0 before the first
	month time.Month
	first int // the year assumed for the first stamp
}

// at returns the time of a traditional stamp, or the zero time.
func (y *yearGuess) at(stamp []byte) time.Time {
	n := tradStampLen(append(stamp[:len(stamp):len(stamp)], ' '))
	if n == 0 {
		return time.Time{}
	}
	mon := time.Month(slices.Index(months[:], string(stamp[:3])) + 1)
	d := stamp[4:6]
	if d[0] == ' ' {
		d = d[1:]
	}
	if mon == 0 || !digits(d) || !digits(stamp[7:9]) || !digits(stamp[10:12]) || !digits(stamp[13:15]) {
		return time.Time{}
	}
	day := atoi(d)
	h, mi, s := atoi(stamp[7:9]), atoi(stamp[10:12]), atoi(stamp[13:15])
	ns := 0
	if n > 16 {
		frac := stamp[16:n]
		ns = atoi(frac)
		for i := len(frac); i < 9; i++ {
			ns *= 10
		}
	}
	if y.year == 0 {
		ref := y.ref
		if ref.IsZero() {
			ref = time.Now()
		}
		y.year = ref.Year()
		if time.Date(y.year, mon, day, h, mi, s, ns, time.Local).After(ref.Add(48 * time.Hour)) {
			y.year--
		}
		y.first = y.year
	} else if mon < y.month-6 {
		y.year++ // December, then January
	}
	y.month = mon
	return time.Date(y.year, mon, day, h, mi, s, ns, time.Local)
}
