// Command benchgen scales a captured PostgreSQL log up to a given size for
// scripts/bench.sh. It keeps the log's shape: the header (server start up to
// "ready to accept connections") is written once, the body is replayed with
// every backend PID shifted and every time stamp moved on by the body's span,
// and the trailer (from the shutdown request on) is written once at the end.
//
//	benchgen -format=stderr|csvlog|jsonlog -size=1024 < captured > big.log
//
// stderr lines start with "%m [%p] "; csvlog records may span lines (quoted
// newlines); jsonlog is one object per line. Only the time stamp and PID
// fields change, so the replayed sessions pair up exactly like the original.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"time"
)

const tsLayout = "2006-01-02 15:04:05.000"

func main() {
	format := flag.String("format", "stderr", "stderr, csvlog or jsonlog")
	sizeMB := flag.Int("size", 1024, "output size in MB (approximate, at least)")
	flag.Parse()
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		fatal(err)
	}
	var recs [][]byte
	switch *format {
	case "stderr":
		recs = splitLines(data)
	case "csvlog":
		recs = splitCSV(data)
	case "jsonlog":
		recs = splitLines(data)
	default:
		fatal(fmt.Errorf("unknown format %q", *format))
	}
	g := &gen{format: *format}
	// header: up to and including "ready to accept connections";
	// trailer: from the shutdown request on.
	head, tail := 0, len(recs)
	for i, r := range recs {
		if bytes.Contains(r, []byte("ready to accept connections")) {
			head = i + 1
			break
		}
	}
	for i := len(recs) - 1; i >= head; i-- {
		if bytes.Contains(recs[i], []byte("shutdown request")) {
			tail = i
			break
		}
	}
	body := recs[head:tail]
	first, last := g.span(body)
	step := last.Sub(first) + time.Second
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	defer w.Flush()
	want := int64(*sizeMB) << 20
	var n int64
	for _, r := range recs[:head] {
		k, _ := w.Write(r)
		n += int64(k)
	}
	var trailer int64
	for _, r := range recs[tail:] {
		trailer += int64(len(r))
	}
	var buf []byte
	for k := 0; n+trailer < want; k++ {
		shift := time.Duration(k) * step
		for _, r := range body {
			buf = g.rewrite(buf[:0], r, shift, k)
			m, err := w.Write(buf)
			if err != nil {
				fatal(err)
			}
			n += int64(m)
		}
	}
	for _, r := range recs[tail:] {
		buf = g.rewrite(buf[:0], r, time.Duration(0), 0)
		w.Write(buf)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "benchgen:", err)
	os.Exit(1)
}

func splitLines(data []byte) [][]byte {
	var out [][]byte
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			out = append(out, append(data, '\n'))
			break
		}
		out = append(out, data[:i+1])
		data = data[i+1:]
	}
	return out
}

// splitCSV cuts data into records: a newline outside quotes ends one.
func splitCSV(data []byte) [][]byte {
	var out [][]byte
	in, start := false, 0
	for i, c := range data {
		switch {
		case c == '"':
			in = !in
		case c == '\n' && !in:
			out = append(out, data[start:i+1])
			start = i + 1
		}
	}
	if start < len(data) {
		out = append(out, append(data[start:], '\n'))
	}
	return out
}

type gen struct {
	format string
}

var reTS = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}`)

func (g *gen) span(body [][]byte) (first, last time.Time) {
	for _, r := range body {
		t, ok := g.stamp(r)
		if !ok {
			continue
		}
		if first.IsZero() {
			first = t
		}
		last = t
	}
	return first, last
}

func (g *gen) stamp(r []byte) (time.Time, bool) {
	if g.format == "jsonlog" {
		k := bytes.Index(r, []byte(`"timestamp":"`))
		if k < 0 {
			return time.Time{}, false
		}
		r = r[k+13:]
	}
	if !reTS.Match(r) {
		return time.Time{}, false
	}
	t, err := time.Parse(tsLayout, string(r[:23]))
	return t, err == nil
}

// pidShift maps a PID into replay k; PIDs stay below 4194304 (pid_max).
func pidShift(pid, k int) int {
	return 1000 + (pid+k*7919)%4000000
}

var (
	reStderrPID = regexp.MustCompile(`^(\S+ \S+ \S+ \[)(\d+)(\])`)
	reJSONTS    = regexp.MustCompile(`"(timestamp|session_start)":"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{3})?)`)
	reJSONPID   = regexp.MustCompile(`"(pid|leader_pid)":(\d+)`)
	reJSONSess  = regexp.MustCompile(`"session_id":"([0-9a-f]+)\.([0-9a-f]+)"`)
	reCSVTS     = regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{3})?`)
)

func shiftTS(s []byte, shift time.Duration) []byte {
	layout := tsLayout
	if len(s) == 19 {
		layout = "2006-01-02 15:04:05"
	}
	t, err := time.Parse(layout, string(s))
	if err != nil {
		return s
	}
	return []byte(t.Add(shift).Format(layout))
}

func (g *gen) rewrite(dst, r []byte, shift time.Duration, k int) []byte {
	switch g.format {
	case "stderr":
		if r[0] == '\t' || !reTS.Match(r) {
			return append(dst, r...)
		}
		dst = append(dst, shiftTS(r[:23], shift)...)
		r = r[23:]
		if m := reStderrPID.FindSubmatchIndex(append([]byte("x "), r...)); m != nil {
			// m indexes into "x "+r; the PID is group 2.
			a, b := m[4]-2, m[5]-2
			pid, _ := strconv.Atoi(string(r[a:b]))
			dst = append(dst, r[:a]...)
			dst = strconv.AppendInt(dst, int64(pidShift(pid, k)), 10)
			return append(dst, r[b:]...)
		}
		return append(dst, r...)
	case "jsonlog":
		out := reJSONTS.ReplaceAllFunc(r, func(m []byte) []byte {
			i := bytes.LastIndexByte(m[:len(m)-1], '"')
			_ = i
			q := bytes.Index(m, []byte(`":"`))
			return append(append([]byte(nil), m[:q+3]...), shiftTS(m[q+3:], shift)...)
		})
		out = reJSONPID.ReplaceAllFunc(out, func(m []byte) []byte {
			c := bytes.IndexByte(m, ':')
			pid, _ := strconv.Atoi(string(m[c+1:]))
			if pid == 0 {
				return m
			}
			return strconv.AppendInt(append([]byte(nil), m[:c+1]...), int64(pidShift(pid, k)), 10)
		})
		out = reJSONSess.ReplaceAllFunc(out, func(m []byte) []byte {
			sm := reJSONSess.FindSubmatch(m)
			pid, _ := strconv.ParseInt(string(sm[2]), 16, 64)
			return fmt.Appendf(nil, `"session_id":"%s.%x"`, sm[1], pidShift(int(pid), k))
		})
		return append(dst, out...)
	default: // csvlog: shift the time stamps of fields 0 and 8, the PID of field 3, the session ID of field 5
		fields := csvFields(r)
		if len(fields) < 9 {
			return append(dst, r...)
		}
		pos := 0
		for i, f := range fields {
			dst = append(dst, r[pos:f[0]]...)
			v := r[f[0]:f[1]]
			switch i {
			case 0, 8:
				v = reCSVTS.ReplaceAllFunc(v, func(m []byte) []byte { return shiftTS(m, shift) })
			case 3:
				if pid, err := strconv.Atoi(string(v)); err == nil && pid > 0 {
					v = strconv.AppendInt(nil, int64(pidShift(pid, k)), 10)
				}
			case 5:
				if d := bytes.IndexByte(v, '.'); d > 0 {
					if pid, err := strconv.ParseInt(string(v[d+1:]), 16, 64); err == nil {
						v = fmt.Appendf(nil, "%s.%x", v[:d], pidShift(int(pid), k))
					}
				}
			}
			dst = append(dst, v...)
			pos = f[1]
		}
		return append(dst, r[pos:]...)
	}
}

// csvFields returns the [start,end) of each field of one record, quotes included.
func csvFields(r []byte) [][2]int {
	var out [][2]int
	in, start := false, 0
	for i, c := range r {
		switch {
		case c == '"':
			in = !in
		case (c == ',' || c == '\n') && !in:
			out = append(out, [2]int{start, i})
			start = i + 1
		}
	}
	return out
}
