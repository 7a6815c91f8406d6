package main

import (
	"bytes"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	arg "github.com/alexflint/go-arg"
)

// helpFlags are the --flags go-arg's own help lists for a command.
func helpFlags(t *testing.T, cmd string) []string {
	t.Helper()
	var a cliArgs
	p, err := arg.NewParser(arg.Config{Program: "pgtail"}, &a)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := p.WriteHelpForSubcommand(&b, cmd); err != nil {
		t.Fatal(err)
	}
	var flags []string
	for _, m := range regexp.MustCompile(`(?m)^  (--[a-z-]+)`).FindAllStringSubmatch(b.String(), -1) {
		flags = append(flags, m[1])
	}
	return flags
}

// The reflection reads the same flags, commands and placeholders that
// go-arg parses and shows: none missing, none extra.
func TestSpecMatchesGoArg(t *testing.T) {
	cmds := cliCommands()
	if got := commandNames(); !slices.Equal(got, []string{"connections", "completion", "help", "version"}) {
		t.Errorf("commands %v", got)
	}
	for _, c := range cmds {
		var mine []string
		for _, f := range c.allFlags() {
			mine = append(mine, f.Dashed())
		}
		if want := helpFlags(t, c.Name); !slices.Equal(mine, want) {
			t.Errorf("%s: reflection has %v, go-arg's help %v", c.Name, mine, want)
		}
	}
	c, _ := lookupCommand("connections")
	db, _ := c.lookupFlag("db")
	if !db.Value || db.Placeholder != "NAME" {
		t.Errorf("--db: %+v", db)
	}
	if h, _ := c.lookupFlag("history"); h.Value {
		t.Errorf("--history takes no value: %+v", h)
	}
	if len(c.Args) != 1 || c.Args[0].Placeholder != "FILE" || !c.Args[0].Multiple {
		t.Errorf("positionals: %+v", c.Args)
	}
}

// Every flag the spec lists is one go-arg accepts, with a value where it
// takes one; every fixed value completion offers parses too; and a flag
// whose type parses its own text (an enumeration) has its values listed,
// or completion would offer nothing for it.
func TestSpecFlagsParse(t *testing.T) {
	c, _ := lookupCommand("connections")
	for _, f := range c.Flags {
		argv := []string{"connections", f.Dashed()}
		if f.Value {
			argv[1] += "=" + map[bool]string{true: "60m", false: "1"}[strings.Contains(f.Placeholder, "DURATION")]
		}
		values := flagValues(f)
		if parsesText(f.typ) && len(values) == 0 {
			t.Errorf("%s: its type parses text but completion knows no values for it (flagValues)", f.Dashed())
		}
		if len(values) > 0 {
			argv[1] = f.Dashed() + "=" + values[0]
		}
		for _, v := range append([]string{""}, values...) {
			if v != "" {
				argv[1] = f.Dashed() + "=" + v
			}
			var a cliArgs
			p, _ := arg.NewParser(arg.Config{Program: "pgtail"}, &a)
			if err := p.Parse(append(argv, "x.log")); err != nil {
				t.Errorf("%v: %v", argv, err)
			}
		}
	}
	if got := strings.Join(formatNames(), ","); got != "auto,stderr,csvlog,jsonlog,syslog,kubectl,cri,docker-json,journald,cloudnativepg,gcloud,heroku" {
		t.Errorf("formats %s", got)
	}
}

// The README's usage lists every flag and command.
func TestReadmeUsage(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	usage := readmeSection(string(readme), "## Usage")
	usage, _, _ = strings.Cut(usage, "\n\n") // the synopsis block
	for _, c := range cliCommands() {
		if !strings.Contains(usage, "pgtail "+c.Name) {
			t.Errorf("README usage has no 'pgtail %s'", c.Name)
		}
		if c.Name != "connections" {
			continue
		}
		for _, f := range c.allFlags() {
			if !strings.Contains(usage, f.Dashed()) {
				t.Errorf("README usage has no %s", f.Dashed())
			}
		}
	}
}

func TestClosest(t *testing.T) {
	names := []string{"connections", "completion", "help", "version"}
	for typed, want := range map[string]string{
		"connection": "connections", "conections": "connections", "conn": "connections",
		"complete": "completion", "hlep": "help", "verison": "version", "frobnicate": "", "co": "", "": "",
	} {
		if got := closest(typed, names); got != want {
			t.Errorf("closest(%q) = %q, want %q", typed, got, want)
		}
	}
	if got := closest("hisory", []string{"history", "watch", "db"}); got != "history" {
		t.Errorf("hisory: %q", got)
	}
}
