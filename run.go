package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pgtail/pgtail/aggregate"
	"github.com/pgtail/pgtail/format"
	"github.com/pgtail/pgtail/record"
)

// run is the whole program on injected streams; it returns the exit code.
func run(argv []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(argv) > 0 && argv[0] == completeCmd {
		return complete(argv[1:], stdout, getenv) // for the completion scripts
	}
	return exit(stderr, pgtail(argv, stdin, stdout, stderr, getenv))
}

// pgtail runs the command. The error carries the exit code.
func pgtail(argv []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	c, err := parseArgs(argv, stdout)
	if c == nil {
		return err // an invalid command line, or help or version shown
	}
	statePath, stateErr := record.Path(getenv)
	if len(c.Files) > 0 && c.Files[0] == "clear" {
		return clearRecord(argv, statePath, stateErr, stdout, stderr)
	}
	t := newTracker(c, stdout, stderr, useColor(c.Color, isTerminal(stdout), getenv("NO_COLOR") != ""))
	if len(c.Files) == 0 && !c.Watch && !piped(stdin) {
		if c.Listen != "" {
			return usageErrorf("pgtail: --listen serves the metrics of a run that reads a log: give FILEs, --follow or a pipe")
		}
		return t.report(statePath, stateErr)
	}
	if c.Listen != "" {
		closeMetrics, err := t.serveMetrics(c.Listen)
		if err != nil {
			return usageErrorf("pgtail: --listen: %v", err)
		}
		defer closeMetrics()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if stateErr == nil {
		t.rec.open(statePath, stderr)
		defer t.rec.close()
	}
	return t.run(ctx, stdin)
}

// piped reports whether stdin brings input: a pipe, a file, a socket. A
// terminal or /dev/null (a character device) means nothing is piped in.
func piped(stdin io.Reader) bool {
	f, ok := stdin.(*os.File)
	if !ok {
		return stdin != nil
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice == 0
}

// clearRecord erases the recorded session.
func clearRecord(argv []string, path string, pathErr error, stdout, stderr io.Writer) error {
	if len(argv) > 2 {
		fmt.Fprintln(stderr, "clear ignores other options")
	}
	if errors.Is(pathErr, record.ErrOff) {
		fmt.Fprintln(stderr, "pgtail: recording is off (PGTAIL_STATE): there is no recorded session to clear")
		return nil
	}
	if pathErr == nil {
		pathErr = record.Clear(path)
	}
	if pathErr != nil {
		return &exitError{code: exitInput, msg: fmt.Sprintf("pgtail: cannot clear the recorded session: %v", pathErr)}
	}
	return writeOut(stdout, "Connection statistics cleared.\n")
}

// report renders the recorded session, with nothing piped in.
func (t *tracker) report(path string, pathErr error) error {
	if errors.Is(pathErr, record.ErrOff) {
		fmt.Fprintln(t.stderr, "pgtail: recording is off (PGTAIL_STATE): no recorded session to report; pipe a log in")
	}
	if pathErr == nil {
		st, err := record.Load(path)
		if err != nil {
			fmt.Fprintf(t.stderr, "pgtail: ignoring the recorded session: %v\n", err)
		}
		t.st = st
		t.liveRecord = record.Live(path)
	}
	return t.render()
}

// A tracker reads the inputs into one aggregate state and renders it.
// The reading goroutine (inputs.go, watch.go) and the main one (the
// recorder's saves, the final report) share the state under mu; the
// aggregate package itself never sees the concurrency.
type tracker struct {
	cmd    *connectionsCmd // the options
	stderr io.Writer
	colors format.Colors // of the watch view

	mu    sync.Mutex    // guards the fields below (only the main goroutine changes rec.rec)
	out   *bufio.Writer // stdout
	st    *aggregate.State
	input inputStats
	rec   recorder
	// unseen counts the disconnections of sessions never seen starting
	// before the input showed a server start or reset (it began mid-log).
	unseen  int
	started bool
	// liveRecord: the report is of a record a running tracker keeps.
	liveRecord bool
}

func newTracker(c *connectionsCmd, stdout, stderr io.Writer, color bool) *tracker {
	cfg := c.stateConfig()
	return &tracker{
		cmd:    c,
		stderr: stderr,
		colors: format.NewColors(color),
		out:    bufio.NewWriterSize(stdout, 32<<10),
		st:     aggregate.New(cfg),
		rec:    recorder{cfg: cfg},
		input:  inputStats{live: newLiveInputs()},
	}
}

// run reads the inputs in a goroutine while it saves the record once a
// second, until the inputs end or a signal comes; then it reports.
func (t *tracker) run(ctx context.Context, stdin io.Reader) error {
	files := t.cmd.Files
	if len(files) == 0 {
		files = []string{"-"}
	}
	if t.cmd.Follow && !t.openFollowers(files) {
		return inputsFailed(nil)
	}
	if t.cmd.Watch {
		where := ""
		if t.cmd.Follow {
			where = " in " + format.Clean(t.followed())
		} else if len(t.cmd.Files) > 0 {
			where = " in " + format.Clean(strings.Join(t.cmd.Files, ", "))
		}
		fmt.Fprintf(t.stderr, "Watching connections%s (Ctrl+C to exit)\n", where)
	}
	done := make(chan error, 1)
	go func() {
		if t.cmd.Follow {
			done <- t.followAll()
		} else {
			done <- t.readAll(files, stdin)
		}
	}()
	interrupted, err := t.wait(ctx, done)
	if interrupted && t.cmd.Follow {
		// The followers read what the files hold by now, then end.
		close(t.input.live.stop)
		select {
		case err = <-done:
		case <-time.After(2 * time.Second):
		}
	}
	if interrupted && t.cmd.Watch {
		if !t.lockWithin(time.Second) {
			// The reader is stuck writing an event to a stdout nobody
			// reads, and watch has no report to print: leave now. The
			// record keeps its last periodic save.
			fmt.Fprintln(t.stderr, "Exited watch mode.")
			return nil
		}
		t.mu.Unlock()
	}
	t.save(true)
	t.mu.Lock() // the reader applies nothing more from here on
	defer t.mu.Unlock()
	return t.finish(err, interrupted)
}

// wait saves the record on every tick until the reader is done (its
// error) or a signal came (interrupted).
func (t *tracker) wait(ctx context.Context, done <-chan error) (interrupted bool, err error) {
	var tick <-chan time.Time
	if t.rec.recording() {
		ticker := time.NewTicker(time.Second)
		defer ticker.Stop()
		tick = ticker.C
	}
	for {
		select {
		case err = <-done:
			return false, err
		case <-ctx.Done():
			return true, nil
		case <-tick:
			t.save(false)
		}
	}
}

// finish ends the run once the reader stopped or was interrupted: the
// hints and the report, and the exit code of all that happened.
func (t *tracker) finish(err error, interrupted bool) error {
	var out errOutput
	if errors.As(err, &out) {
		if errors.Is(out, syscall.EPIPE) {
			return nil // `| head` closed the pipe: done, quietly
		}
		return out
	}
	if t.cmd.Watch {
		if interrupted {
			fmt.Fprintln(t.stderr, "Exited watch mode.")
		}
	} else {
		if !interrupted {
			t.hints()
		}
		t.midLog() // also after Ctrl+C: `tail -F log | pgtail connections`
		err = t.render()
	}
	if t.input.failed {
		return inputsFailed(err)
	}
	return err
}

// lockWithin takes t.mu if it can within d. The reader holds it while it
// writes a watch event, which blocks for as long as stdout is not read.
func (t *tracker) lockWithin(d time.Duration) bool {
	for end := time.Now().Add(d); ; time.Sleep(time.Millisecond) {
		if t.mu.TryLock() {
			return true
		}
		if time.Now().After(end) {
			return false
		}
	}
}
