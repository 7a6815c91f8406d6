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
	"github.com/pgtail/pgtail/record"
)

// run is the whole program on injected streams; it returns the exit code.
func run(argv []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	c, done, code := parseArgs(argv, stdout, stderr)
	if done {
		return code
	}
	statePath, stateErr := record.Path(getenv)
	if len(c.Files) > 0 && c.Files[0] == "clear" {
		return clearRecord(argv, statePath, stateErr, stdout, stderr)
	}
	t := newTracker(c, stdout, stderr, useColor(c.Color, isTerminal(stdout), getenv("NO_COLOR") != ""))
	if len(c.Files) == 0 && !c.Watch && !piped(stdin) {
		return t.report(statePath, stateErr)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if stateErr == nil {
		rec, err := record.Open(statePath)
		if err != nil {
			fmt.Fprintf(stderr, "pgtail: this run is not recorded: %v\n", err)
		}
		if rec != nil {
			defer rec.Close()
			t.rec = rec
		}
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
func clearRecord(argv []string, path string, pathErr error, stdout, stderr io.Writer) int {
	if len(argv) > 2 {
		fmt.Fprintln(stderr, "clear ignores other options")
	}
	if pathErr == nil {
		pathErr = record.Clear(path)
	}
	if pathErr != nil {
		fmt.Fprintf(stderr, "pgtail: cannot clear the recorded session: %v\n", pathErr)
		return exitInput
	}
	fmt.Fprintln(stdout, "Connection statistics cleared.")
	return exitOK
}

// report renders the recorded session, with nothing piped in.
func (t *tracker) report(path string, pathErr error) int {
	if pathErr == nil {
		st, err := record.Load(path)
		if err != nil {
			fmt.Fprintf(t.stderr, "pgtail: ignoring the recorded session in %s: %v\n", path, err)
		}
		t.st = st
	}
	return t.render()
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
	cfg    aggregate.Config
	st     *aggregate.State
	out    *bufio.Writer
	stats  parse.Stats
	failed bool // an input could not be opened or read
	// yearFrom says where the year of syslog stamps without one came from.
	yearFrom string

	rec   *record.Recorder // nil: this run does not record
	dirty bool             // events applied since the last save

	savedAt  time.Time     // when the last save ended
	saveCost time.Duration // how long it took
}

func newTracker(c *connectionsCmd, stdout, stderr io.Writer, color bool) *tracker {
	cfg := aggregate.Config{Resolution: time.Minute, Retention: c.Window + c.Bucket}
	if c.Bucket%time.Minute != 0 {
		cfg.Resolution = time.Duration(gcd(int64(c.Bucket/time.Second), 60)) * time.Second
	} else {
		// The record keeps a day, for later reports with other windows.
		cfg.Retention = max(cfg.Retention, 24*time.Hour)
	}
	return &tracker{
		cfg:    cfg,
		cmd:    c,
		filter: aggregate.Filter{DB: c.DB, User: c.User, App: c.App},
		stderr: stderr,
		colors: format.NewColors(color),
		st:     aggregate.New(cfg),
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
	var tick <-chan time.Time
	t.save(true)
	if t.rec != nil {
		ticker := time.NewTicker(time.Second)
		defer ticker.Stop()
		tick = ticker.C
	}
	var err error
	interrupted := false
wait:
	for {
		select {
		case err = <-done:
			break wait
		case <-ctx.Done():
			interrupted = true
			break wait
		case <-tick:
			t.save(false)
		}
	}
	if interrupted && t.cmd.Watch {
		if !t.lockWithin(time.Second) {
			// The reader is stuck writing an event to a stdout nobody
			// reads, and watch has no report to print: leave now. The
			// record keeps its last periodic save.
			fmt.Fprintln(t.stderr, "Exited watch mode.")
			return exitOK
		}
		t.mu.Unlock()
	}
	t.save(true)
	t.mu.Lock() // the reader applies nothing more from here on
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
	return max(code, t.render())
}

// render writes the summary or history of the state to stdout.
func (t *tracker) render() int {
	var err error
	sum := t.st.Summary(t.filter)
	if t.cmd.History {
		h := t.st.History(t.filter, t.cmd.Window, t.cmd.Bucket)
		if t.st.Summary(aggregate.Filter{}).Events > 0 && !h.HasTime {
			fmt.Fprintf(t.stderr, "pgtail: --history needs time stamps: the log_line_prefix has no %s\n", "%t, %m or %n")
			return exitUsage
		}
		switch {
		case t.cmd.JSON:
			err = format.JSON(t.out, t.jsonReport(sum, &h))
		case h.HasTime:
			err = format.History(t.out, h, t.filter)
			if err == nil && t.filter == (aggregate.Filter{}) {
				err = format.Peak(t.out, t.st.Peak(), t.st.Saturation(), t.cmd.MaxConn)
			}
		default:
			err = format.Summary(t.out, sum, t.filter) // the empty state
		}
	} else if t.cmd.JSON {
		err = format.JSON(t.out, t.jsonReport(sum, nil))
	} else {
		err = format.Summary(t.out, sum, t.filter)
		// The peak is server-wide: shown without filters, when it says
		// something the active count does not.
		if p, sat := t.st.Peak(), t.st.Saturation(); err == nil && sum.Events > 0 && t.filter == (aggregate.Filter{}) &&
			(p.Active != sum.Active || sat.Count > 0 || t.cmd.MaxConn > 0) {
			err = format.Peak(t.out, p, sat, t.cmd.MaxConn)
		}
	}
	if err == nil {
		err = t.out.Flush()
	}
	if err != nil && !errors.Is(err, syscall.EPIPE) {
		fmt.Fprintf(t.stderr, "pgtail: %v\n", errOutput{err})
		return exitInput
	}
	return exitOK
}

// save records the state when it changed or when force is set. After a
// clear from another terminal the tracker starts again from zero.
func (t *tracker) save(force bool) {
	if force {
		t.mu.Lock()
	} else if !t.mu.TryLock() {
		return // the reader holds it, maybe stuck writing to stdout: next tick
	}
	defer t.mu.Unlock()
	if t.rec == nil {
		return
	}
	if t.rec.Cleared() {
		t.st, force = aggregate.New(t.cfg), true
	}
	if !t.dirty && !force {
		return
	}
	// A big state (many open sessions) takes a while to write: keep the
	// recording under a tenth of the time, whatever "once a second" says.
	if !force && time.Since(t.savedAt) < 10*t.saveCost {
		return
	}
	start := time.Now()
	defer func() { t.savedAt, t.saveCost = time.Now(), time.Since(start) }()
	cleared, err := t.rec.Save(t.st)
	if cleared {
		t.st = aggregate.New(t.cfg)
		_, err = t.rec.Save(t.st)
	}
	if err != nil {
		fmt.Fprintf(t.stderr, "pgtail: recording the session failed: %v\n", err)
		t.rec.Close()
		t.rec = nil
		return
	}
	t.dirty = false
}

// jsonReport gathers everything the JSON views show.
func (t *tracker) jsonReport(sum aggregate.Summary, h *aggregate.History) format.Report {
	f := t.stats.Format // what was read, detected or given
	if f == parse.Auto {
		f = t.cmd.Format
	}
	fname := f.String()
	if f == parse.Auto {
		fname = "" // nothing was read to detect it from
	}
	return format.Report{
		Filter:         t.filter,
		Summary:        sum,
		History:        h,
		ByHost:         t.st.ByHost(t.filter),
		Failures:       t.st.FailureTable(t.filter),
		Peak:           t.st.Peak(),
		Saturation:     t.st.Saturation(),
		MaxConnections: t.cmd.MaxConn,
		Durations:      t.st.Durations(t.filter),
		Input: format.Input{
			Lines: t.stats.Lines, Entries: t.stats.Entries, Skipped: t.stats.Skipped, Truncated: t.stats.Truncated,
			Format: fname, Prefix: t.stats.Prefix,
		},
	}
}

// hints say once, on stderr, what the user should know about the input.
func (t *tracker) hints() {
	if n := t.stats.Truncated; n > 0 && t.stats.Format == parse.CSVLog {
		fmt.Fprintf(t.stderr, "pgtail: skipped %d csvlog record(s) over %d MiB (a quote that never closes?)\n", n, parse.MaxLine>>20)
	} else if n == 1 {
		fmt.Fprintf(t.stderr, "pgtail: 1 line over %d MiB was cut to its first %d MiB\n", parse.MaxLine>>20, parse.MaxLine>>20)
	} else if n > 1 {
		fmt.Fprintf(t.stderr, "pgtail: %d lines over %d MiB were cut to their first %d MiB\n", n, parse.MaxLine>>20, parse.MaxLine>>20)
	}
	if t.stats.Entries == 0 && t.stats.Skipped > 0 {
		fmt.Fprintln(t.stderr, "pgtail: no PostgreSQL log entry recognised in the input; if the server uses a custom log_line_prefix, pass it with --prefix='...'")
	}
	events := t.st.Summary(aggregate.Filter{}).Events
	if t.stats.Foreign > 0 && t.stats.Localized == 0 && events == 0 {
		fmt.Fprintln(t.stderr, "pgtail: the log's messages are not in English (lc_messages); pgtail reads English, German and French: set lc_messages = 'C' on the server")
	} else if t.stats.Foreign > t.stats.Localized && t.stats.Localized == 0 {
		fmt.Fprintf(t.stderr, "pgtail: %d log entries are not in English (lc_messages) and were not read; set lc_messages = 'C' on the server\n", t.stats.Foreign)
	}
	if t.stats.Loose > 0 && t.cmd.Prefix == "" && (t.stats.Format == parse.Stderr || t.stats.Format == parse.Syslog) {
		fmt.Fprintf(t.stderr, "pgtail: log_line_prefix not recognised on %d of the connection lines; assumed a time stamp at the start and the first [number] as the PID; pass the server's setting with --prefix='...'\n", t.stats.Loose)
	}
	if t.stats.Year != 0 {
		fmt.Fprintf(t.stderr, "pgtail: the syslog time stamps have no year: read as %d, from %s (a month that goes back, December to January, starts the next year)\n", t.stats.Year, t.yearFrom)
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
	var modified time.Time // when the log was last written: now for a stream
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return inputError{name, err}
		}
		defer f.Close()
		in, label = f, name
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			modified = fi.ModTime()
		}
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
	// Only --json shows the entry counts: only it pays for exact ones.
	pr := parse.NewReader(r, parse.Options{Format: t.cmd.Format, Prefix: t.cmd.Prefix, ExactCounts: t.cmd.JSON, Modified: modified})
	defer func() {
		st := pr.Stats()
		t.mu.Lock()
		if st.Year != 0 && t.yearFrom == "" {
			t.yearFrom = "today's date (standard input)"
			if !modified.IsZero() {
				t.yearFrom = "the modification time of " + format.Clean(label)
			}
		}
		t.stats.Add(st)
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
		if ev.Kind == parse.Ready {
			continue // PostgreSQL 18 setup time: not counted (yet)
		}
		t.mu.Lock()
		o := t.st.Apply(ev)
		t.dirty = true
		if t.cmd.Watch && t.shows(o) {
			if t.cmd.JSON {
				err = format.WatchJSON(t.out, o)
			} else {
				err = format.Watch(t.out, o, t.colors)
			}
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
