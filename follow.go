package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pgtail/pgtail/format"
	"github.com/pgtail/pgtail/parse"
)

// A follower reads a log file from its start and keeps reading it as it
// grows, like `tail -n +1 -F`: a file renamed away and created again
// (logrotate's default) is read to its end, then the new file from its
// start; a file cut to a shorter length (copytruncate) is read again from
// its start. Given a directory, it follows the server's newest log file
// of the format read, and moves to the next one when the server rotates.
// It polls: portable, and cheap at a few stats a second.
//
// Read blocks until there is something to read, and returns io.EOF once
// stop is closed and everything written before has been read.
type follower struct {
	path string        // the FILE or DIR given
	dir  bool          // path is a log directory
	ext  string        // dir: the suffix of the files followed ("" until chosen)
	kind string        // dir: the current_logfiles key of the format ("" for any)
	stop chan struct{} // closed: return io.EOF at the end of what is there

	f        *os.File
	name     string    // the file f reads
	off      int64     // bytes of f read
	last     byte      // the last byte returned ('\n' when none)
	draining bool      // f was replaced: read it to its end, then switch
	best     string    // dir: the newest file when last listed
	scanned  time.Time // when it was listed
	dirMod   time.Time // the directory's time stamp then

	lines  atomic.Int64 // '\n' bytes returned so far
	ready  atomic.Int64 // lines returned when the follower first caught up; -1 before
	notify func(name string)

	mu    sync.Mutex // guards cur, read by the watch header and metrics
	cur   string
	swaps [2]atomic.Int64 // files switched to: [0] renamed or newer, [1] truncated
}

// followPoll is how often a follower that has caught up looks again.
var followPoll = 100 * time.Millisecond

// dirRescan bounds how often a directory is listed when nothing in it
// seems to have changed.
const dirRescan = 2 * time.Second

var errFollowStdin = errors.New("standard input cannot be followed: pipe it in without --follow")

// newFollower opens path (a file, or a log directory) for following.
func newFollower(path string, f parse.Format, stop chan struct{}) (*follower, error) {
	fw := &follower{path: path, stop: stop, last: '\n'}
	fw.ready.Store(-1)
	if path == "-" {
		return nil, errFollowStdin
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		fw.dir = true
		fw.kind, fw.ext = dirFormat(f)
		name, err := fw.newest()
		if err != nil {
			return nil, err
		}
		if name == "" {
			return nil, fmt.Errorf("no %s log file in the directory", orAny(fw.ext))
		}
		fw.ext = logExt(name)
		path = name
	}
	if err := fw.open(path); err != nil {
		return nil, err
	}
	magic := make([]byte, 2)
	if n, _ := fw.f.ReadAt(magic, 0); n == 2 && magic[0] == 0x1f && magic[1] == 0x8b || strings.HasSuffix(path, ".gz") {
		fw.f.Close()
		return nil, errors.New("a compressed file cannot be followed: read it without --follow")
	}
	return fw, nil
}

func orAny(ext string) string {
	if ext == "" {
		return ".log, .csv or .json"
	}
	return ext
}

// dirFormat returns the current_logfiles key and the file suffix of the
// log format f; "" for auto.
func dirFormat(f parse.Format) (kind, ext string) {
	switch f {
	case parse.Stderr, parse.Syslog:
		return "stderr", ".log"
	case parse.CSVLog:
		return "csvlog", ".csv"
	case parse.JSONLog:
		return "jsonlog", ".json"
	}
	return "", ""
}

func logExt(name string) string {
	for _, e := range []string{".log", ".csv", ".json"} {
		if strings.HasSuffix(name, e) {
			return e
		}
	}
	return ""
}

func (fw *follower) open(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	if fw.f != nil {
		fw.f.Close()
	}
	fw.f, fw.name, fw.off, fw.draining = f, name, 0, false
	fw.mu.Lock()
	fw.cur = name
	fw.mu.Unlock()
	return nil
}

// current returns the file being read.
func (fw *follower) current() string {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	return fw.cur
}

// backlog reports whether line (1-based, counted in what Read returned)
// was already in the file when the follower first caught up with it.
func (fw *follower) backlog(line int) bool {
	r := fw.ready.Load()
	return r < 0 || int64(line) <= r
}

func (fw *follower) Close() error { return fw.f.Close() }

func (fw *follower) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for {
		n, err := fw.f.Read(p)
		if n > 0 {
			fw.off += int64(n)
			fw.last = p[n-1]
			fw.lines.Add(int64(bytes.Count(p[:n], []byte{'\n'})))
			return n, nil
		}
		if err != nil && err != io.EOF {
			return 0, err
		}
		// At the end of the file: has it been replaced or cut?
		next, cut, err := fw.check()
		if err != nil {
			return 0, err
		}
		switched := false
		switch {
		case cut:
			if _, err := fw.f.Seek(0, io.SeekStart); err != nil {
				return 0, err
			}
			fw.off, switched = 0, true
			fw.swaps[1].Add(1)
		case next == "":
			fw.draining = false
		case !fw.draining:
			fw.draining = true // first read what the old file got meanwhile
			continue
		default:
			if err := fw.open(next); err != nil && !errors.Is(err, os.ErrNotExist) {
				return 0, err
			} else if err == nil {
				switched = true
				fw.swaps[0].Add(1)
				if fw.notify != nil {
					fw.notify(next)
				}
			}
		}
		if switched {
			if fw.last != '\n' {
				// The old file ended inside a line: end it, so that the
				// next file's first line stays a line of its own.
				fw.last, p[0] = '\n', '\n'
				fw.lines.Add(1)
				return 1, nil
			}
			continue
		}
		if fw.ready.Load() < 0 {
			fw.ready.Store(fw.lines.Load())
		}
		select {
		case <-fw.stop:
			return 0, io.EOF
		case <-time.After(followPoll):
		}
	}
}

// check looks at the file being read, at its end: cut reports that it is
// now shorter than what was read; next names the file to read after it
// (the path given was renamed and created again, or the server rotated to
// a newer file in the directory).
func (fw *follower) check() (next string, cut bool, err error) {
	fi, err := fw.f.Stat()
	if err != nil {
		return "", false, err
	}
	if fi.Size() < fw.off {
		return "", true, nil
	}
	if !fw.dir {
		st, err := os.Stat(fw.path)
		if err != nil || os.SameFile(st, fi) {
			return "", false, nil // renamed away and not yet created again: wait
		}
		return fw.path, false, nil
	}
	name, err := fw.newest()
	if err != nil || name == "" {
		return "", false, nil
	}
	if st, err := os.Stat(name); err != nil || os.SameFile(st, fi) {
		return "", false, nil
	}
	return name, false, nil
}

// newest returns the log file of the directory to read: the one that
// current_logfiles names for the format, where it is readable, else the
// most recently written file with the format's suffix.
func (fw *follower) newest() (string, error) {
	if name := fw.currentLogfile(); name != "" {
		return name, nil
	}
	dfi, err := os.Stat(fw.path)
	if err != nil {
		return "", err
	}
	// List the directory only when it changed, or now and then (a
	// coarse file system may keep its time stamp).
	if fw.best != "" && dfi.ModTime().Equal(fw.dirMod) && time.Since(fw.scanned) < dirRescan {
		return fw.best, nil
	}
	fw.dirMod, fw.scanned = dfi.ModTime(), time.Now()
	ents, err := os.ReadDir(fw.path)
	if err != nil {
		return "", err
	}
	var best string
	var bestMod time.Time
	for _, e := range ents {
		ext := logExt(e.Name())
		if !e.Type().IsRegular() || ext == "" || fw.ext != "" && ext != fw.ext {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		if best == "" || fi.ModTime().After(bestMod) || fi.ModTime().Equal(bestMod) && e.Name() > filepath.Base(best) {
			best, bestMod = filepath.Join(fw.path, e.Name()), fi.ModTime()
		}
	}
	fw.best = best
	return best, nil
}

// currentLogfile reads current_logfiles, which the server writes into
// its data directory: the given directory or its parent (the default
// log_directory is "log" inside the data directory). It returns the file
// it names for the format, if that file is in the directory followed.
func (fw *follower) currentLogfile() string {
	for _, data := range []string{fw.path, filepath.Dir(filepath.Clean(fw.path))} {
		f, err := os.Open(filepath.Join(data, "current_logfiles"))
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(io.LimitReader(f, 64<<10))
		var found string
		for sc.Scan() {
			kind, name, ok := strings.Cut(sc.Text(), " ")
			if !ok || fw.kind != "" && kind != fw.kind || fw.kind == "" && fw.ext != "" && logExt(name) != fw.ext {
				continue
			}
			if !filepath.IsAbs(name) {
				name = filepath.Join(data, name)
			}
			if same(filepath.Dir(name), fw.path) {
				found = name
				break
			}
		}
		f.Close()
		if found != "" {
			return found
		}
	}
	return ""
}

// same reports whether two paths name the same directory.
func same(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

// liveInputs is what a run keeps beside the tracker: the followers, and
// the counts of the inputs still being read (published under the
// tracker's lock at each event, so a scrape, a report after Ctrl+C and
// the final report see the same numbers).
type liveInputs struct {
	stop      chan struct{} // closed when the run ends: followers finish
	followers []*follower
	reading   map[*liveInput]struct{} // under the tracker's lock
}

func newLiveInputs() *liveInputs {
	return &liveInputs{stop: make(chan struct{}), reading: map[*liveInput]struct{}{}}
}

// A liveInput is one input being read: its reader and its counts as of
// the last event.
type liveInput struct {
	pr    *parse.Reader
	stats parse.Stats
}

// begin registers the input read by pr; under the tracker's lock.
func (l *liveInputs) begin(pr *parse.Reader) *liveInput {
	in := &liveInput{pr: pr}
	l.reading[in] = struct{}{}
	return in
}

// publish records the reader's counts so far. It runs on the reading
// goroutine (the only one that may ask the reader) under the tracker's
// lock (so readers of the counts see a whole copy).
func (in *liveInput) publish() { in.stats = in.pr.Stats() }

// end forgets in, whose counts are now in the tracker's; under the
// tracker's lock.
func (l *liveInputs) end(in *liveInput) { delete(l.reading, in) }

// readSoFar returns the counts of every input read so far, including
// the ones still being read; under t.mu.
func (t *tracker) readSoFar() parse.Stats {
	st := t.input.Stats
	for in := range t.input.live.reading {
		st.Add(in.stats)
	}
	return st
}

// openFollowers opens every FILE or DIR to follow. One that cannot be
// opened is reported and the others are followed; it reports whether any
// could be.
func (t *tracker) openFollowers(paths []string) bool {
	for _, p := range paths {
		fw, err := newFollower(p, t.cmd.Format, t.input.live.stop)
		if err != nil {
			if p == "-" {
				p = "stdin"
			}
			fmt.Fprintf(t.stderr, "pgtail: %v\n", inputError{p, err})
			t.input.failed = true
			continue
		}
		if t.cmd.Watch {
			fw.notify = func(name string) {
				t.mu.Lock()
				fmt.Fprintf(t.stderr, "pgtail: following %s\n", format.Clean(name))
				t.mu.Unlock()
			}
		}
		t.input.live.followers = append(t.input.live.followers, fw)
	}
	return len(t.input.live.followers) > 0
}

// followAll reads every follower at once until the run ends.
func (t *tracker) followAll() error {
	errs := make(chan error, len(t.input.live.followers))
	for _, fw := range t.input.live.followers {
		go func() {
			defer fw.Close()
			err := t.readEvents(fw, fw.path, fw, time.Time{})
			if err != nil && !errors.As(err, new(errOutput)) {
				t.mu.Lock()
				fmt.Fprintf(t.stderr, "pgtail: %v\n", err)
				t.input.failed = true
				t.mu.Unlock()
				err = nil
			}
			errs <- err
		}()
	}
	var first error
	for range t.input.live.followers {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// followed names what the watch header shows: the files followed.
func (t *tracker) followed() string {
	var names []string
	for _, fw := range t.input.live.followers {
		names = append(names, fw.current())
	}
	return strings.Join(names, ", ")
}
