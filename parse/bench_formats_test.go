package parse

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// formatLogs rewrites the real PostgreSQL 15 sample log as csvlog and as
// jsonlog records (same entries, same fields), each repeated to about
// 16 MB: the csvlog and jsonlog paths' benchmarks.
func formatLogs(b *testing.B) (csvlog, jsonlog []byte) {
	one, err := os.ReadFile("../testdata/logs/pg15-debian.log")
	if err != nil {
		b.Fatal(err)
	}
	re := regexp.MustCompile(`^(\S+ \S+ UTC) \[(\d+)\] (?:(\S+)@(\S*) )?([A-Z]+):  (.*)$`)
	var c, j bytes.Buffer
	for _, line := range strings.Split(strings.TrimSpace(string(one)), "\n") {
		m := re.FindStringSubmatch(line)
		if m == nil {
			b.Fatalf("line %q", line)
		}
		q := func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
		fmt.Fprintf(&c, "%s,%s,%s,%s,,6b0756a3.6a91,1,,2026-11-25 21:44:03 UTC,,0,%s,00000,%s,,,,,,,,,,client backend,,0\n",
			m[1], q(m[3]), q(m[4]), m[2], m[5], q(m[6]))
		pid, _ := strconv.Atoi(m[2])
		rec := map[string]any{"timestamp": m[1], "pid": pid, "error_severity": m[5], "message": m[6], "backend_type": "client backend"}
		if m[3] != "" {
			rec["user"], rec["dbname"] = m[3], m[4]
		}
		k, _ := json.Marshal(rec)
		j.Write(k)
		j.WriteByte('\n')
	}
	n := 16<<20/c.Len() + 1
	return bytes.Repeat(c.Bytes(), n), bytes.Repeat(j.Bytes(), n)
}

func benchFormat(b *testing.B, data []byte, f Format) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r := NewReader(bytes.NewReader(data), Options{Format: f})
		for {
			if _, err := r.Read(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkReaderCSV reads a busy csvlog end to end.
func BenchmarkReaderCSV(b *testing.B) {
	c, _ := formatLogs(b)
	benchFormat(b, c, CSVLog)
}

// BenchmarkReaderJSON reads a busy jsonlog end to end.
func BenchmarkReaderJSON(b *testing.B) {
	_, j := formatLogs(b)
	benchFormat(b, j, JSONLog)
}
