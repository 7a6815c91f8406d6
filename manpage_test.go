package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/cpuguy83/go-md2man/v2/md2man"
)

// The man page pgtail.1 is generated from the same definitions go-arg
// parses (commands, options, their help texts and defaults) and from
// the README's usage and shell completion sections, rendered by go-md2man.
// This test fails when the committed page is out of date;
// `go generate` (or `go test -run '^TestManPage$' -update`) rewrites it.

//go:generate go test -run ^TestManPage$ -update .

func TestManPage(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	md, err := manPageMarkdown(string(readme))
	if err != nil {
		t.Fatal(err)
	}
	roff := md2man.Render([]byte(md))
	if *update {
		if err := os.WriteFile("pgtail.1", roff, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	old, err := os.ReadFile("pgtail.1")
	if err != nil || !bytes.Equal(old, roff) {
		t.Fatalf("pgtail.1 is out of date (%v): run go generate", err)
	}
	// What --help shows is in the page.
	for _, c := range cliCommands() {
		for _, f := range c.allFlags() {
			if !bytes.Contains(roff, []byte(`\fB--`+f.Long+`\fP`)) {
				t.Errorf("pgtail.1 lacks --%s", f.Long)
			}
		}
	}
}

// manPageMarkdown writes the page in go-md2man's Markdown.
func manPageMarkdown(readme string) (string, error) {
	var b strings.Builder
	title := fmt.Sprintf(`pgtail 1 "" "pgtail %s" "User Commands"`, version)
	fmt.Fprintf(&b, "%s\n%s\n\n", title, strings.Repeat("=", len(title)))

	what := strings.TrimSuffix(strings.TrimPrefix(cliArgs{}.Description(), "pgtail "), ".")
	fmt.Fprintf(&b, "# NAME\npgtail - %s\n\n", what)

	usage := readmeSection(readme, "## Usage")
	synopsis, rest, ok := strings.Cut(usage, "\n\n")
	if !ok || !strings.HasPrefix(synopsis, "    pgtail ") {
		return "", fmt.Errorf("the README's usage does not start with the synopsis block")
	}
	fmt.Fprintf(&b, "# SYNOPSIS\n%s\n\n", synopsis)

	intro, _, _ := strings.Cut(readme, "\n## ")
	_, intro, _ = strings.Cut(intro, "\n\n") // after the "# pgtail" title
	fmt.Fprintf(&b, "# DESCRIPTION\n%s\n\n%s\n\n", strings.TrimSpace(intro), rest)

	b.WriteString("# COMMANDS\n")
	for _, c := range cliCommands() {
		if c.Hidden {
			continue
		}
		fmt.Fprintf(&b, "**pgtail %s**", c.Name)
		for _, a := range c.Args {
			dots := map[bool]string{true: "..."}[a.Multiple]
			fmt.Fprintf(&b, " [*%s*%s]", a.Placeholder, dots)
		}
		fmt.Fprintf(&b, "\n:   %s\n\n", c.Help)
	}

	for _, c := range cliCommands() {
		if len(c.Flags) == 0 {
			continue
		}
		fmt.Fprintf(&b, "# OPTIONS OF %s\n", strings.ToUpper(c.Name))
		for _, f := range c.allFlags() {
			fmt.Fprintf(&b, "**--%s**", f.Long)
			if f.Value {
				fmt.Fprintf(&b, "=*%s*", f.Placeholder)
			}
			if f.Short != "" {
				fmt.Fprintf(&b, ", **-%s**", f.Short)
			}
			help := f.Help
			if f.Default != "" {
				help += fmt.Sprintf(" (default: %s)", f.Default)
			}
			fmt.Fprintf(&b, "\n:   %s\n\n", help)
		}
	}

	completion := readmeSection(readme, "## Shell completion")
	if completion == "" {
		return "", fmt.Errorf("the README has no Shell completion section")
	}
	fmt.Fprintf(&b, "# SHELL COMPLETION\n%s\n\n", completion)

	b.WriteString(`# ENVIRONMENT
**PGTAIL_STATE**
:   the state file of the recorded session; else **$XDG_STATE_HOME/pgtail/connections.json**, else **~/.local/state/pgtail/connections.json**

**NO_COLOR**
:   when set, the watch view is not colored (unless **--color=always**)

# SEE ALSO
**postgres**(1); the README of pgtail for the log formats, **log_line_prefix**, the JSON output and performance.
`)
	return b.String(), nil
}
