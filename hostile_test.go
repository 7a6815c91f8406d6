package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"os"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rogpeppe/go-internal/testscript"
)

// genfile OUT PIECE... writes OUT from pieces, for inputs a txtar file
// cannot hold (huge, binary, cut short):
//
//	file:NAME      the file's contents
//	file:NAME:N    its first N bytes; a negative N drops the last -N
//	text:TEXT      TEXT with Go escapes (\n, \r, \x00, \x1b, \u202e)
//	repeat:N:TEXT  TEXT, with Go escapes, N times
func cmdGenfile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: genfile OUT PIECE...")
	}
	f, err := os.Create(ts.MkAbs(args[0]))
	ts.Check(err)
	w := bufio.NewWriterSize(f, 1<<20)
	unquote := func(s string) string {
		u, err := strconv.Unquote(`"` + strings.ReplaceAll(s, `"`, `\"`) + `"`)
		ts.Check(err)
		return u
	}
	for _, p := range args[1:] {
		kind, rest, _ := strings.Cut(p, ":")
		switch kind {
		case "file":
			name, n, cut := strings.Cut(rest, ":")
			data, err := os.ReadFile(ts.MkAbs(name))
			ts.Check(err)
			if cut {
				k, err := strconv.Atoi(n)
				ts.Check(err)
				if k < 0 {
					k += len(data)
				}
				data = data[:max(0, min(k, len(data)))]
			}
			w.Write(data)
		case "text":
			w.WriteString(unquote(rest))
		case "repeat":
			n, text, _ := strings.Cut(rest, ":")
			k, err := strconv.Atoi(n)
			ts.Check(err)
			text = unquote(text)
			if len(text) > 0 {
				per := max(1, (64<<10)/len(text)) // write in chunks of about 64 KiB
				chunk := strings.Repeat(text, per)
				for ; k >= per; k -= per {
					w.WriteString(chunk)
				}
				w.WriteString(strings.Repeat(text, k))
			}
		default:
			ts.Fatalf("genfile: unknown piece %q", p)
		}
	}
	ts.Check(w.Flush())
	ts.Check(f.Close())
}

// FuzzRun feeds arbitrary bytes, plain or gzip (whole, cut short,
// corrupt), to run on stdin in each view, and checks the exit code, that
// an error is one named stderr line, and that no control byte reaches
// stdout or stderr raw.
func FuzzRun(f *testing.F) {
	mini, err := os.ReadFile("testdata/logs/mini.log")
	if err != nil {
		f.Fatal(err)
	}
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(mini)
	zw.Close()
	gz := b.Bytes()
	for i, seed := range [][]byte{mini, gz, gz[:len(gz)/2], gz[:len(gz)-4], gz[:12], append(bytes.Clone(gz[:40]), 0xff, 0xff)} {
		f.Add(seed, uint8(i))
	}
	views := [][]string{{"connections"}, {"connections", "--watch", "--color=never"}, {"connections", "--history"}}
	f.Fuzz(func(t *testing.T, data []byte, view uint8) {
		args := views[int(view)%len(views)]
		var stdout, stderr bytes.Buffer
		code := run(args, bytes.NewReader(data), &stdout, &stderr, func(string) string { return "" })
		switch {
		case code == exitOK, code == exitInput && strings.HasPrefix(strings.TrimPrefix(stderr.String(), "Watching connections (Ctrl+C to exit)\n"), "pgtail: stdin: "):
		case code == exitUsage && args[1] == "--history" && strings.Contains(stderr.String(), "needs time stamps"):
		default:
			t.Fatalf("%v: exit %d, stderr:\n%s", args, code, stderr.Bytes())
		}
		for _, out := range []*bytes.Buffer{&stdout, &stderr} {
			for i, c := range out.Bytes() {
				if c < 0x20 && c != '\n' || c == 0x7f {
					t.Fatalf("%v: raw control byte %#x at %d: %q", args, c, i, out.Bytes())
				}
			}
			if !utf8.Valid(out.Bytes()) {
				t.Fatalf("%v: invalid UTF-8 written: %q", args, out.Bytes())
			}
		}
	})
}
