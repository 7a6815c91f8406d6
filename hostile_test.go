package main

import (
	"bufio"
	"os"
	"strconv"
	"strings"

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
