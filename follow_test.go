package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pgtail/pgtail/parse"
)

// followed reads from fw in the background; lines returns what it has
// read so far once it holds want lines.
type followedBytes struct {
	t    *testing.T
	fw   *follower
	data chan []byte
	got  strings.Builder
}

func startFollow(t *testing.T, path string, f parse.Format) *followedBytes {
	t.Helper()
	old := followPoll
	followPoll = 5 * time.Millisecond
	t.Cleanup(func() { followPoll = old })
	fw, err := newFollower(path, f, make(chan struct{}))
	if err != nil {
		t.Fatal(err)
	}
	fb := &followedBytes{t: t, fw: fw, data: make(chan []byte, 100)}
	go func() {
		for {
			buf := make([]byte, 7) // small reads: lines cross them
			n, err := fw.Read(buf)
			if n > 0 {
				fb.data <- buf[:n]
			}
			if err != nil {
				close(fb.data)
				return
			}
		}
	}()
	t.Cleanup(func() {
		close(fw.stop)
		for range fb.data {
		}
		fw.Close()
	})
	return fb
}

// want waits until everything read so far is exactly s.
func (fb *followedBytes) want(s string) {
	fb.t.Helper()
	timeout := time.After(5 * time.Second)
	for fb.got.String() != s {
		if len(fb.got.String()) > len(s) {
			break
		}
		select {
		case b, ok := <-fb.data:
			if !ok {
				fb.t.Fatalf("follower ended; read %q, want %q", fb.got.String(), s)
			}
			fb.got.Write(b)
		case <-timeout:
			fb.t.Fatalf("read %q, want %q", fb.got.String(), s)
		}
	}
	if fb.got.String() != s {
		fb.t.Fatalf("read %q, want %q", fb.got.String(), s)
	}
}

func write(t *testing.T, name, s string, flag int) {
	t.Helper()
	f, err := os.OpenFile(name, flag|os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestFollowFile(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "pg.log")
	write(t, log, "one\ntwo\n", os.O_TRUNC)
	fb := startFollow(t, log, parse.Auto)
	fb.want("one\ntwo\n")
	// Growth, a line written in two parts.
	write(t, log, "thr", os.O_APPEND)
	fb.want("one\ntwo\nthr")
	write(t, log, "ee\n", os.O_APPEND)
	fb.want("one\ntwo\nthree\n")
	// Renamed away; the old file gets one more line (a partial one, ended
	// for it); then a new file.
	if err := os.Rename(log, log+".1"); err != nil {
		t.Fatal(err)
	}
	write(t, log+".1", "four", os.O_APPEND)
	write(t, log, "five\n", os.O_TRUNC)
	fb.want("one\ntwo\nthree\nfour\nfive\n")
	// Truncated (copytruncate), then written again.
	write(t, log, "", os.O_TRUNC)
	write(t, log, "six\n", os.O_APPEND)
	fb.want("one\ntwo\nthree\nfour\nfive\nsix\n")
	if got := [2]int64{fb.fw.swaps[0].Load(), fb.fw.swaps[1].Load()}; got != [2]int64{1, 1} {
		t.Errorf("rotated, truncated = %v, want [1 1]", got)
	}
}

func TestFollowDir(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "postgresql-1.log")
	write(t, old, "old\n", os.O_TRUNC)
	write(t, filepath.Join(dir, "postgresql-0.csv"), "csv\n", os.O_TRUNC)
	write(t, filepath.Join(dir, "postgresql-9.log.gz"), "gz\n", os.O_TRUNC)
	past := time.Now().Add(-time.Hour)
	for _, n := range []string{"postgresql-1.log", "postgresql-9.log.gz"} {
		if err := os.Chtimes(filepath.Join(dir, n), past, past); err != nil {
			t.Fatal(err)
		}
	}
	fb := startFollow(t, dir, parse.Stderr)
	if got := fb.fw.current(); got != old {
		t.Fatalf("following %s, want %s", got, old)
	}
	fb.want("old\n")
	write(t, filepath.Join(dir, "postgresql-2.log"), "new\n", os.O_TRUNC)
	fb.want("old\nnew\n")
	write(t, filepath.Join(dir, "postgresql-2.log"), "more\n", os.O_APPEND)
	fb.want("old\nnew\nmore\n")
}

func TestFollowStop(t *testing.T) {
	log := filepath.Join(t.TempDir(), "pg.log")
	write(t, log, "a\n", os.O_TRUNC)
	stop := make(chan struct{})
	fw, err := newFollower(log, parse.Auto, stop)
	if err != nil {
		t.Fatal(err)
	}
	defer fw.Close()
	close(stop)
	b, err := io.ReadAll(fw)
	if string(b) != "a\n" || err != nil {
		t.Errorf("after stop: read %q, %v; want everything, then EOF", b, err)
	}
}
