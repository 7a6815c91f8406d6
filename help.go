package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"

	arg "github.com/alexflint/go-arg"
)

// The small commands: help, version, completion.

type completionCmd struct {
	Shell string `arg:"positional,required" placeholder:"SHELL" help:"bash, zsh or fish"`
}

type helpCmd struct {
	Command string `arg:"positional" placeholder:"COMMAND" help:"the command to explain"`
}

type versionCmd struct{}

// shells are the shells `pgtail completion` writes a script for.
var shells = []string{"bash", "zsh", "fish"}

// runMeta runs help, version or completion once go-arg has parsed them.
func runMeta(a *cliArgs, p *arg.Parser, stdout io.Writer) error {
	switch {
	case a.VersionCmd != nil:
		fmt.Fprintln(stdout, a.Version())
	case a.Help != nil && a.Help.Command == "":
		p.WriteHelpForSubcommand(stdout) // the top level, not "help"
	case a.Help != nil:
		if _, ok := lookupCommand(a.Help.Command); !ok {
			return usageErrorf("pgtail: unknown command '%s'%s", a.Help.Command, didYouMean(a.Help.Command, commandNames(), "try 'pgtail help'"))
		}
		p.WriteHelpForSubcommand(stdout, a.Help.Command)
	case a.Completion != nil:
		script, ok := completionScripts[a.Completion.Shell]
		if !ok {
			return usageErrorf("pgtail: no completion for the shell '%s'%s", a.Completion.Shell, didYouMean(a.Completion.Shell, shells, "pgtail completes bash, zsh and fish"))
		}
		if _, err := io.WriteString(stdout, script); err != nil && !errors.Is(err, syscall.EPIPE) { // `| head`: done, quietly
			return errOutput{err}
		}
	}
	return nil
}

// explain rewrites go-arg's errors for a mistyped command or flag with
// a suggestion of the closest one. subcommand is where parsing got to.
func explain(err error, subcommand []string) error {
	msg := err.Error()
	if word, ok := strings.CutPrefix(msg, "invalid subcommand: "); ok {
		return fmt.Errorf("unknown command '%s'%s", word, didYouMean(word, commandNames(), "try 'pgtail help'"))
	}
	if word, ok := strings.CutPrefix(msg, "unknown argument "); ok && len(subcommand) > 0 {
		c, found := lookupCommand(subcommand[0])
		if !found {
			return err
		}
		typed, _, _ := strings.Cut(strings.TrimLeft(word, "-"), "=")
		var names []string
		for _, f := range c.allFlags() {
			names = append(names, f.Long)
		}
		if s := closest(typed, names); s != "" {
			return errors.New(msg + ": did you mean '--" + s + "'?")
		}
	}
	return err
}

// didYouMean is ": did you mean 'x'?" for the closest of names, else
// ": " and the fallback.
func didYouMean(typed string, names []string, fallback string) string {
	if s := closest(typed, names); s != "" {
		return ": did you mean '" + s + "'?"
	}
	return ": " + fallback
}

// closest returns the name nearest to typed: the only one it starts, or
// the one fewest edits away (at most a third of its length), else "".
func closest(typed string, names []string) string {
	if typed == "" {
		return ""
	}
	best, bestD := "", 0
	var prefixed []string
	for _, n := range names {
		if strings.HasPrefix(n, typed) {
			prefixed = append(prefixed, n)
		}
		d := editDistance(typed, n)
		if d <= max(1, len(n)/3) && (best == "" || d < bestD) {
			best, bestD = n, d
		}
	}
	if best == "" && len(prefixed) == 1 && len(typed) >= 2 {
		return prefixed[0]
	}
	return best
}

// editDistance counts the insertions, deletions, substitutions and
// swaps of neighbours that turn a into b (optimal string alignment).
func editDistance(a, b string) int {
	x, y := []rune(a), []rune(b)
	d := make([][]int, len(x)+1)
	for i := range d {
		d[i] = make([]int, len(y)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(x); i++ {
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(x)][len(y)]
}
