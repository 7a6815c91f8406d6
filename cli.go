package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strings"
	"syscall"
	"time"

	arg "github.com/alexflint/go-arg"
	"github.com/mattn/go-isatty"

	"github.com/pgtail/pgtail/aggregate"
	"github.com/pgtail/pgtail/parse"
)

const version = "0.1.0"

type cliArgs struct {
	Connections *connectionsCmd `arg:"subcommand:connections" help:"track connections, sessions and failed logins"`
	Completion  *completionCmd  `arg:"subcommand:completion" help:"print the shell completion script for bash, zsh or fish"`
	Help        *helpCmd        `arg:"subcommand:help" help:"show the help of pgtail or of a command"`
	VersionCmd  *versionCmd     `arg:"subcommand:version" help:"print the version"`
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
	Follow  bool          `arg:"--follow" help:"read each FILE from its start and keep following it through rotation; a DIR follows its newest log file"`
	Listen  string        `arg:"--listen" placeholder:"ADDR" help:"serve Prometheus metrics at http://ADDR/metrics while reading (host:port)"`
	Files   []string      `arg:"positional" placeholder:"FILE" help:"log files to read in order (- is stdin, .gz is decompressed); or 'clear'"`
}

type colorMode string

// colorModes are the values of --color.
var colorModes = []string{"auto", "always", "never"}

func (c *colorMode) UnmarshalText(b []byte) error {
	if !slices.Contains(colorModes, string(b)) {
		return fmt.Errorf("must be auto, always or never")
	}
	*c = colorMode(b)
	return nil
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

// writeOut writes s to stdout; a write error (a full disk) is an error,
// a closed pipe is not.
func writeOut(stdout io.Writer, s string) error {
	if _, err := io.WriteString(stdout, s); err != nil && !errors.Is(err, syscall.EPIPE) {
		return errOutput{err}
	}
	return nil
}

// parseArgs parses the command line. An invalid one is an error with
// exit code 1; help and version are written to stdout and return a nil
// command and no error (or a write error).
func parseArgs(argv []string, stdout io.Writer) (*connectionsCmd, error) {
	var a cliArgs
	p, err := arg.NewParser(arg.Config{Program: "pgtail"}, &a)
	if err != nil {
		return nil, usageErrorf("pgtail: %v", err)
	}
	usage := func(e *exitError, subcommand ...string) *exitError {
		var b strings.Builder
		p.WriteUsageForSubcommand(&b, subcommand...)
		e.usage = b.String()
		return e
	}
	// go-arg takes "--db=" as "--db" and eats the next argument: reject
	// empty values before it sees them.
	for _, s := range argv {
		if s == "--" {
			break
		}
		if strings.HasPrefix(s, "-") && strings.HasSuffix(s, "=") && strings.Count(s, "=") == 1 {
			return nil, usage(usageErrorf("pgtail: %s needs a value (an empty name matches nothing)", s[:len(s)-1]), "connections")
		}
	}
	err = p.Parse(argv)
	switch {
	case errors.Is(err, arg.ErrHelp):
		var b bytes.Buffer // go-arg drops write errors: write it here
		p.WriteHelpForSubcommand(&b, p.SubcommandNames()...)
		return nil, writeOut(stdout, b.String())
	case errors.Is(err, arg.ErrVersion):
		return nil, writeOut(stdout, a.Version()+"\n")
	case err != nil:
		return nil, usage(usageErrorf("pgtail: %v", explain(err, p.SubcommandNames())), p.SubcommandNames()...)
	case a.Completion != nil || a.Help != nil || a.VersionCmd != nil:
		return nil, runMeta(&a, p, stdout)
	case a.Connections == nil:
		return nil, usage(usageErrorf("pgtail: missing command: try 'pgtail connections'"), p.SubcommandNames()...)
	}
	if err := a.Connections.check(); err != nil {
		return nil, err
	}
	return a.Connections, nil
}

// check rejects the combinations of options that make no sense.
func (c *connectionsCmd) check() error {
	if c.History && c.Watch {
		return usageErrorf("Cannot use --history and --watch together.")
	}
	for _, v := range []struct {
		name string
		d    time.Duration
	}{{"--window", c.Window}, {"--bucket", c.Bucket}} {
		if v.d < time.Second {
			return usageErrorf("pgtail: %s must be at least 1s", v.name)
		}
	}
	switch {
	case c.MaxConn < 0:
		return usageErrorf("pgtail: --max-connections must not be negative")
	case c.Bucket > c.Window:
		return usageErrorf("pgtail: --bucket must not be longer than --window")
	case c.Window/c.Bucket > 10000:
		return usageErrorf("pgtail: --window holds more than 10000 buckets; use a longer --bucket")
	case c.Follow && len(c.Files) == 0:
		return usageErrorf("pgtail: --follow needs a FILE or a log DIRECTORY to follow")
	}
	if c.Listen != "" {
		if _, _, err := net.SplitHostPort(c.Listen); err != nil {
			return usageErrorf("pgtail: --listen must be host:port (127.0.0.1:9187, :9187): %v", err)
		}
	}
	return nil
}

// filter is the sessions the views show.
func (c *connectionsCmd) filter() aggregate.Filter {
	return aggregate.Filter{DB: c.DB, User: c.User, App: c.App}
}

// stateConfig is the aggregate state the options need: slots that divide
// the history bucket, kept for the window (for a whole day when the
// bucket is in minutes, for later reports with other windows).
func (c *connectionsCmd) stateConfig() aggregate.Config {
	cfg := aggregate.Config{Resolution: time.Minute, Retention: c.Window + c.Bucket}
	if c.Bucket%time.Minute != 0 {
		cfg.Resolution = time.Duration(gcd(int64(c.Bucket/time.Second), 60)) * time.Second
	} else {
		// The record keeps a day, for later reports with other windows.
		cfg.Retention = max(cfg.Retention, 24*time.Hour)
	}
	return cfg
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return max(a, 1)
}
