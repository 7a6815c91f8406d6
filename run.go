package main

import (
	"bufio"
	"compress/gzip"
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
	"github.com/pgtail/pgtail/parse"
)

// run is the whole program on injected streams; it returns the exit code.
func run(argv []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	c, done, code := parseArgs(argv, stdout, stderr)
	if done {
		return code
	}
	if len(c.Files) > 0 && c.Files[0] == "clear" {
		fmt.Fprintln(stderr, "pgtail: 'connections clear' is not available yet: there is no recorded session to clear")
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	t := newTracker(c, stdout, stderr, useColor(c.Color, isTerminal(stdout), getenv("NO_COLOR") != ""))
	return t.run(ctx, stdin)
}

// A tracker reads the inputs into one aggregate state and renders it.
// The reading goroutine and the final report share the state under mu;
// the aggregate package itself never sees the concurrency.
type tracker struct {
	cmd    *connectionsCmd
	filter aggregate.Filter
	stderr io.Writer
	colors format.Colors

	mu     sync.Mutex
	st     *aggregate.State
	out    *bufio.Writer
	stats  parse.Stats
	failed bool // an input could not be opened or read
}

func newTracker(c *connectionsCmd, stdout, stderr io.Writer, color bool) *tracker {
	res := time.Minute
	if c.Bucket%time.Minute != 0 {
		res = time.Duration(gcd(int64(c.Bucket/time.Second), 60)) * time.Second
	}
	return &tracker{
		cmd:    c,
		filter: aggregate.Filter{DB: c.DB, User: c.User, App: c.App},
		stderr: stderr,
		colors: format.NewColors(color),
		st:     aggregate.New(aggregate.Config{Resolution: res, Retention: c.Window + c.Bucket}),
		out:    bufio.NewWriterSize(stdout, 32<<10),
	}
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return max(a, 1)
}

// errOutput wraps a failed write to stdout.
type errOutput struct{ err error }

func (e errOutput) Error() string { return "write error: " + e.err.Error() }

func (t *tracker) run(ctx context.Context, stdin io.Reader) int {
	files := t.cmd.Files
	if len(files) == 0 {
		files = []string{"-"}
	}
	if t.cmd.Watch {
		where := ""
		if len(t.cmd.Files) > 0 {
			where = " in " + format.Clean(strings.Join(t.cmd.Files, ", "))
		}
		fmt.Fprintf(t.stderr, "Watching connections%s (Ctrl+C to exit)\n", where)
	}
	done := make(chan error, 1)
	go func() { done <- t.readAll(files, stdin) }()
	var err error
	interrupted := false
	select {
	case err = <-done:
	case <-ctx.Done():
		interrupted = true
	}
	if interrupted && t.cmd.Watch {
		if !t.lockWithin(time.Second) {
			// The reader is stuck writing an event to a stdout nobody
			// reads, and watch has no report to print: leave now.
			fmt.Fprintln(t.stderr, "Exited watch mode.")
			return exitOK
		}
	} else {
		t.mu.Lock() // the reader applies nothing more from here on
	}
	defer t.mu.Unlock()

	var out errOutput
	if errors.As(err, &out) {
		if errors.Is(out.err, syscall.EPIPE) {
			return exitOK // `| head` closed the pipe: done, quietly
		}
		fmt.Fprintf(t.stderr, "pgtail: %v\n", out)
		return exitInput
	}
	code := exitOK
	if t.failed {
		code = exitInput
	}
	if t.cmd.Watch {
		if interrupted {
			fmt.Fprintln(t.stderr, "Exited watch mode.")
		}
		return code
	}
	if !interrupted {
		t.hints()
	}
	if t.cmd.History {
		h := t.st.History(t.filter, t.cmd.Window, t.cmd.Bucket)
		if t.st.Summary(aggregate.Filter{}).Events > 0 && !h.HasTime {
			fmt.Fprintf(t.stderr, "pgtail: --history needs time stamps: the log_line_prefix has no %s\n", "%t, %m or %n")
			return exitUsage
		}
		if h.HasTime {
			err = format.History(t.out, h, t.filter)
		} else {
			err = format.Summary(t.out, t.st.Summary(t.filter), t.filter) // the empty state
		}
	} else {
		err = format.Summary(t.out, t.st.Summary(t.filter), t.filter)
	}
	if err == nil {
		err = t.out.Flush()
	}
	if err != nil && !errors.Is(err, syscall.EPIPE) {
		fmt.Fprintf(t.stderr, "pgtail: %v\n", errOutput{err})
		return exitInput
	}
	return code
}

// hints say once, on stderr, what the user should know about the input.
func (t *tracker) hints() {
	if n := t.stats.Truncated; n == 1 {
		fmt.Fprintf(t.stderr, "pgtail: 1 line over %d MiB was cut to its first %d MiB\n", parse.MaxLine>>20, parse.MaxLine>>20)
	} else if n > 1 {
		fmt.Fprintf(t.stderr, "pgtail: %d lines over %d MiB were cut to their first %d MiB\n", n, parse.MaxLine>>20, parse.MaxLine>>20)
	}
	if t.stats.Entries == 0 && t.stats.Skipped > 0 {
		fmt.Fprintln(t.stderr, "pgtail: no PostgreSQL log entry recognised in the input; if the server uses a custom log_line_prefix, pass it with --prefix='...'")
	}
	if t.st.Summary(aggregate.Filter{}).NoPID {
		fmt.Fprintf(t.stderr, "pgtail: the log has no process IDs (%s in log_line_prefix): active counts are estimated from connects minus disconnects per database and user\n", "%p or %c")
	}
}

// readAll reads every input in order. An input that cannot be opened or
// read is reported and the others are still read.
func (t *tracker) readAll(files []string, stdin io.Reader) error {
	for _, name := range files {
		err := t.readOne(name, stdin)
		var out errOutput
		if errors.As(err, &out) {
			return err
		}
		if err != nil {
			t.mu.Lock()
			fmt.Fprintf(t.stderr, "pgtail: %v\n", err)
			t.failed = true
			t.mu.Unlock()
		}
	}
	return nil
}

func (t *tracker) readOne(name string, stdin io.Reader) error {
	var in io.Reader = stdin
	label := "stdin"
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return inputError{name, err}
		}
		defer f.Close()
		in, label = f, name
	}
	br := bufio.NewReaderSize(in, 64<<10)
	var r io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return inputError{label, err}
		}
		r = gzipInput{zr}
	} else if strings.HasSuffix(name, ".gz") {
		return inputError{label, errors.New("not in gzip format")}
	}
	pr := parse.NewReader(r, parse.Options{Format: string(t.cmd.Format), Prefix: t.cmd.Prefix})
	defer func() {
		s := pr.Stats()
		t.mu.Lock()
		t.stats.Lines += s.Lines
		t.stats.Entries += s.Entries
		t.stats.Skipped += s.Skipped
		t.stats.Truncated += s.Truncated
		t.mu.Unlock()
	}()
	for {
		ev, err := pr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return inputError{label, err}
		}
		t.mu.Lock()
		o := t.st.Apply(ev)
		if t.cmd.Watch && t.shows(o) {
			err = format.Watch(t.out, o, t.colors)
			if err == nil {
				err = t.out.Flush()
			}
		}
		t.mu.Unlock()
		if err != nil {
			return errOutput{err}
		}
	}
}

// shows reports whether the watch view shows o under the filters.
func (t *tracker) shows(o aggregate.Outcome) bool {
	if o.Event.Kind == parse.Reset {
		return true
	}
	ev := o.Event
	return t.filter.Match(aggregate.Names{DB: orUnknown(ev.DB), User: orUnknown(ev.User), App: orUnknown(ev.App)})
}

func orUnknown(s string) string {
	if s == "" {
		return aggregate.Unknown
	}
	return s
}
