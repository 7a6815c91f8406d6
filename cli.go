package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	arg "github.com/alexflint/go-arg"
	"github.com/mattn/go-isatty"

	"github.com/pgtail/pgtail/format"
	"github.com/pgtail/pgtail/parse"
)

const version = "0.1.0"

const (
	exitOK    = 0 // also after Ctrl+C and when `| head` closes the pipe
	exitUsage = 1 // invalid argument or combination
	exitInput = 2 // a FILE cannot be opened or read
)

type cliArgs struct {
	Connections *connectionsCmd `arg:"subcommand:connections" help:"track connections, sessions and failed logins"`
}

func (cliArgs) Version() string { return "pgtail " + version }

func (cliArgs) Description() string {
	return "pgtail reads PostgreSQL server logs in one streaming pass."
}

type connectionsCmd struct {
	History bool          `arg:"--history" help:"show the connection trend over time"`
	Watch   bool          `arg:"--watch" help:"stream connection events as they are read"`
	DB      string        `arg:"--db" placeholder:"NAME" help:"only sessions of this database (exact)"`
	User    string        `arg:"--user" placeholder:"NAME" help:"only sessions of this user (exact)"`
	App     string        `arg:"--app" placeholder:"NAME" help:"only sessions of this application_name (exact)"`
	Format  parse.Format  `arg:"--format" default:"auto" placeholder:"FORMAT" help:"log format: auto, stderr, csvlog, jsonlog, syslog, or a platform's envelope: kubectl, cri, docker-json, journald, cloudnativepg, gcloud, heroku"`
	Prefix  string        `arg:"--prefix" placeholder:"LOG_LINE_PREFIX" help:"the server's log_line_prefix, exactly as in postgresql.conf"`
	Window  time.Duration `arg:"--window" default:"60m" placeholder:"DURATION" help:"history window"`
	Bucket  time.Duration `arg:"--bucket" default:"15m" placeholder:"DURATION" help:"history bucket size"`
	Color   colorMode     `arg:"--color" default:"auto" placeholder:"WHEN" help:"auto, always or never"`
	JSON    bool          `arg:"--json" help:"summary and history as one JSON object; watch as one JSON object per event (NDJSON)"`
	MaxConn int           `arg:"--max-connections" placeholder:"N" help:"the server's max_connections, to show the peak's headroom"`
	Files   []string      `arg:"positional" placeholder:"FILE" help:"log files to read in order (- is stdin, .gz is decompressed); or 'clear'"`
}

type colorMode string

func (c *colorMode) UnmarshalText(b []byte) error {
	switch s := string(b); s {
	case "auto", "always", "never":
		*c = colorMode(s)
		return nil
	}
	return fmt.Errorf("must be auto, always or never")
}

// useColor decides once whether watch output is colored.
func useColor(mode colorMode, isTTY bool, noColor bool) bool {
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	return isTTY && !noColor
}

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// inputError is an input that cannot be opened or read: exit 2.
type inputError struct {
	name string
	err  error
}

func (e inputError) Error() string {
	var pe *os.PathError
	if errors.As(e.err, &pe) {
		return fmt.Sprintf("%s: %v", format.Clean(e.name), pe.Err)
	}
	return fmt.Sprintf("%s: %v", format.Clean(e.name), e.err)
}

// parseArgs parses the command line. Help and version are written to
// stdout and reported as done.
func parseArgs(argv []string, stdout, stderr io.Writer) (cmd *connectionsCmd, done bool, code int) {
	var a cliArgs
	p, err := arg.NewParser(arg.Config{Program: "pgtail"}, &a)
	if err != nil {
		fmt.Fprintf(stderr, "pgtail: %v\n", err)
		return nil, true, exitUsage
	}
	// go-arg takes "--db=" as "--db" and eats the next argument: reject
	// empty values before it sees them.
	for _, s := range argv {
		if s == "--" {
			break
		}
		if strings.HasPrefix(s, "-") && strings.HasSuffix(s, "=") && strings.Count(s, "=") == 1 {
			fmt.Fprintf(stderr, "pgtail: %s needs a value (an empty name matches nothing)\n", s[:len(s)-1])
			p.WriteUsageForSubcommand(stderr, "connections")
			return nil, true, exitUsage
		}
	}
	err = p.Parse(argv)
	switch {
	case errors.Is(err, arg.ErrHelp):
		p.WriteHelpForSubcommand(stdout, p.SubcommandNames()...)
		return nil, true, exitOK
	case errors.Is(err, arg.ErrVersion):
		fmt.Fprintln(stdout, a.Version())
		return nil, true, exitOK
	case err != nil:
		fmt.Fprintf(stderr, "pgtail: %v\n", err)
		p.WriteUsageForSubcommand(stderr, p.SubcommandNames()...)
		return nil, true, exitUsage
	case a.Connections == nil:
		fmt.Fprintln(stderr, "pgtail: missing command: try 'pgtail connections'")
		p.WriteUsage(stderr)
		return nil, true, exitUsage
	}
	c := a.Connections
	if c.History && c.Watch {
		fmt.Fprintln(stderr, "Cannot use --history and --watch together.")
		return nil, true, exitUsage
	}
	for _, v := range []struct {
		name string
		d    time.Duration
	}{{"--window", c.Window}, {"--bucket", c.Bucket}} {
		if v.d < time.Second {
			fmt.Fprintf(stderr, "pgtail: %s must be at least 1s\n", v.name)
			return nil, true, exitUsage
		}
	}
	if c.MaxConn < 0 {
		fmt.Fprintln(stderr, "pgtail: --max-connections must not be negative")
		return nil, true, exitUsage
	}
	if c.Bucket > c.Window {
		fmt.Fprintln(stderr, "pgtail: --bucket must not be longer than --window")
		return nil, true, exitUsage
	}
	if c.Window/c.Bucket > 10000 {
		fmt.Fprintln(stderr, "pgtail: --window holds more than 10000 buckets; use a longer --bucket")
		return nil, true, exitUsage
	}
	return c, false, exitOK
}
