package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"unicode"
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
// corrupt), to run on stdin in each view, text and --json, and checks the exit code, that
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
	views := [][]string{
		{"connections"}, {"connections", "--watch", "--color=never"}, {"connections", "--history"},
		{"connections", "--json"}, {"connections", "--watch", "--json"}, {"connections", "--history", "--json"},
	}
	f.Fuzz(func(t *testing.T, data []byte, view uint8) {
		args := views[int(view)%len(views)]
		var stdout, stderr bytes.Buffer
		code := run(args, bytes.NewReader(data), &stdout, &stderr, func(string) string { return "" })
		switch {
		case code == exitOK, code == exitInput && strings.HasPrefix(strings.TrimPrefix(stderr.String(), "Watching connections (Ctrl+C to exit)\n"), "pgtail: stdin: "):
		case code == exitUsage && slices.Contains(args, "--history") && strings.Contains(stderr.String(), "needs time stamps"):
		default:
			t.Fatalf("%v: exit %d, stderr:\n%s", args, code, stderr.Bytes())
		}
		for _, out := range []*bytes.Buffer{&stdout, &stderr} {
			if !utf8.Valid(out.Bytes()) {
				t.Fatalf("%v: invalid UTF-8 written: %q", args, out.Bytes())
			}
			for i, r := range out.String() {
				if r < 0x20 && r != '\n' || r >= 0x7f && r < 0xa0 || unicode.Is(unicode.Cf, r) {
					t.Fatalf("%v: raw control %U at %d: %q", args, r, i, out.Bytes())
				}
			}
		}
	})
}

// TestLongLineMemory runs pgtail on a line of 2 MiB and one of 100 MiB,
// each between valid entries, and checks peak RSS does not grow with the
// line: parse.MaxLine caps what is kept. The same for a csvlog field
// whose quote never closes, followed by 2 MiB or 100 MiB without a quote.
// Not timed.
func TestLongLineMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("feeds 100 MiB through a pipe")
	}
	if runtime.GOOS != "linux" {
		t.Skip("reads peak RSS from Linux rusage")
	}
	stderrEntry := "2026-11-24 10:01:00.000 UTC [%d] app@prod LOG:  connection authorized: user=app database=prod\n"
	csvEntry := `2026-11-25 21:41:16.713 CET,"app","prod",%d,"[local]",6b0747ec.3eac,2,"authentication",2026-11-25 21:41:16 CET,3/1,0,LOG,00000,"connection authorized: user=app database=prod",,,,,,,,,""` + "\n"
	peak := func(format string, lineLen int) int64 {
		entry, start, line, hint := stderrEntry, "", []byte("x"), "1 line over 1 MiB was cut"
		if format == "csvlog" {
			entry, start, line, hint = csvEntry, `2026-11-25 21:41:17.000 CET,"never closed`, bytes.Repeat([]byte("y"), 99), "skipped 1 csvlog record"
			line = append(line, '\n')
		}
		cmd := exec.Command("pgtail", "connections", "--format="+format) // on $PATH from testscript.Main
		pr, pw := io.Pipe()
		cmd.Stdin = pr
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() {
			w := bufio.NewWriterSize(pw, 64<<10)
			fmt.Fprintf(w, entry, 1)
			w.WriteString(start)
			chunk := bytes.Repeat(line, (64<<10)/len(line))
			for n := lineLen; n > 0; n -= len(chunk) {
				w.Write(chunk[:min(n, len(chunk))])
			}
			w.WriteString("\n")
			fmt.Fprintf(w, entry, 2)
			pw.CloseWithError(w.Flush())
		}()
		if err := cmd.Wait(); err != nil {
			t.Fatalf("line of %d bytes: %v\n%s", lineLen, err, stderr.Bytes())
		}
		if !strings.Contains(stdout.String(), "Session totals: 2 connects") {
			t.Errorf("line of %d bytes: entries around it lost:\n%s", lineLen, stdout.Bytes())
		}
		if !strings.Contains(stderr.String(), hint) {
			t.Errorf("line of %d bytes: stderr %q", lineLen, stderr.Bytes())
		}
		return cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss // KiB on Linux
	}
	for _, format := range []string{"stderr", "csvlog"} {
		small, big := peak(format, 2<<20), peak(format, 100<<20)
		t.Logf("%s: peak RSS %d KiB for a 2 MiB line, %d KiB for a 100 MiB line", format, small, big)
		if big > small+16<<10 {
			t.Errorf("%s: peak RSS grew from %d KiB to %d KiB with a 100 MiB line", format, small, big)
		}
	}
}
