package main

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/pgtail/pgtail/aggregate"
	"github.com/pgtail/pgtail/record"
)

// Shell completion. The scripts of `pgtail completion SHELL` call the
// hidden command
//
//	pgtail __complete bash LINE CUR   (LINE: the command line up to the cursor; CUR: bash's current word)
//	pgtail __complete zsh|fish WORD... (the words after "pgtail", unquoted; the last is the one completed)
//
// which writes a directive line ("plain", "files" or "nospace"), then one
// candidate a line: quoted for bash, plain for zsh and fish (they quote
// themselves), with a tab and a description for fish.

const completeCmd = "__complete"

// recordedNames picks from the recorded names the one a flag filters on.
var recordedNames = map[string]func(aggregate.Names) string{
	"db":   func(n aggregate.Names) string { return n.DB },
	"user": func(n aggregate.Names) string { return n.User },
	"app":  func(n aggregate.Names) string { return n.App },
}

// A candidate is one completion: the whole word, unquoted.
type candidate struct {
	word string
	desc string
}

type directive string

const (
	dirNone    directive = "plain"
	dirFiles   directive = "files"   // also complete file names
	dirNoSpace directive = "nospace" // a flag waiting for its =value
)

// complete answers the completion scripts. It never fails loudly: a
// shell shows nothing rather than an error in the middle of a line.
func complete(args []string, stdout io.Writer, getenv func(string) string) int {
	if len(args) < 1 {
		return exitUsage
	}
	shell, args := args[0], args[1:]
	var words []string
	var rawCur, bashCur string
	switch shell {
	case "bash":
		if len(args) != 2 {
			return exitUsage
		}
		var raws []string
		words, raws, _ = shellWords(args[0])
		if len(words) == 0 {
			return exitOK
		}
		words, raws = words[1:], raws[1:] // the program's own name
		rawCur, bashCur = raws[len(raws)-1], args[1]
		if strings.Trim(bashCur, "=:") == "" {
			// COMP_WORDS has the = of --db= as a word, but readline
			// replaces only what follows it: nothing yet.
			bashCur = ""
		}
	case "zsh", "fish":
		if len(args) == 0 {
			return exitUsage
		}
		words = args
	default:
		return exitUsage
	}
	cands, dir := completeWords(words, getenv)
	w := bufio.NewWriter(stdout)
	if dir == dirFiles && shell == "bash" {
		// bash lists the files itself from its own word, unquoted.
		cur, _, _ := shellWords(bashCur)
		fmt.Fprintf(w, "%s\t%s\n", dir, cur[len(cur)-1])
	} else {
		fmt.Fprintln(w, dir)
	}
	for _, c := range cands {
		if strings.ContainsAny(c.word, "\n\t\x00") {
			continue // no line protocol or shell word carries these
		}
		switch shell {
		case "bash":
			q := bashRequote(rawCur, words[len(words)-1], c.word)
			if !strings.HasSuffix(rawCur, bashCur) || !strings.HasPrefix(q, rawCur[:len(rawCur)-len(bashCur)]) {
				continue
			}
			// bash replaces only its own current word, split off at
			// COMP_WORDBREAKS (the = of --db=x): drop what comes before it.
			fmt.Fprintln(w, q[len(rawCur)-len(bashCur):])
		case "fish":
			if c.desc != "" {
				fmt.Fprintf(w, "%s\t%s\n", c.word, c.desc)
			} else {
				fmt.Fprintln(w, c.word)
			}
		default:
			fmt.Fprintln(w, c.word)
		}
	}
	if w.Flush() != nil {
		return exitInput
	}
	return exitOK
}

// completeWords lists the candidates for the last of words, given the
// ones before it.
func completeWords(words []string, getenv func(string) string) ([]candidate, directive) {
	cur, before := words[len(words)-1], words[:len(words)-1]
	i := slices.IndexFunc(before, func(w string) bool { return !strings.HasPrefix(w, "-") })
	if i < 0 {
		if strings.HasPrefix(cur, "-") {
			return matching(cur, flagCandidates(builtinFlags, nil)), dirNone
		}
		return commandCandidates(cur), dirNone
	}
	c, ok := lookupCommand(before[i])
	if !ok {
		return nil, dirNone
	}
	rest := before[i+1:]
	switch c.Name {
	case "help":
		if len(rest) == 0 && !strings.HasPrefix(cur, "-") {
			return commandCandidates(cur), dirNone
		}
	case "completion":
		if len(rest) == 0 && !strings.HasPrefix(cur, "-") {
			var cands []candidate
			for _, s := range shells {
				cands = append(cands, candidate{word: s})
			}
			return matching(cur, cands), dirNone
		}
	}
	return completeArgs(c, rest, cur, getenv)
}

// completeArgs completes the options and FILEs of a command.
func completeArgs(c cliCommand, before []string, cur string, getenv func(string) string) ([]candidate, directive) {
	used := map[string]bool{}
	positionals, dashdash := 0, false
	var pending *cliFlag // a flag given as "--db" waiting for its value
	for _, w := range before {
		switch {
		case pending != nil:
			pending = nil
		case dashdash || !strings.HasPrefix(w, "-") || w == "-":
			positionals++
		case w == "--":
			dashdash = true
		default:
			name, _, hasValue := strings.Cut(strings.TrimLeft(w, "-"), "=")
			f, ok := c.lookupFlag(name)
			if !ok {
				continue
			}
			used[f.Long] = true
			if f.Value && !hasValue {
				pending = &f
			}
		}
	}
	if pending != nil {
		return valueCandidates(*pending, "", cur, getenv), dirNone
	}
	if !dashdash && strings.HasPrefix(cur, "-") && cur != "-" {
		if name, _, ok := strings.Cut(strings.TrimLeft(cur, "-"), "="); ok {
			f, found := c.lookupFlag(name)
			if !found {
				return nil, dirNone
			}
			return valueCandidates(f, cur[:strings.Index(cur, "=")+1], cur, getenv), dirNone
		}
		cands := matching(cur, flagCandidates(c.allFlags(), used))
		if len(cands) > 0 && !slices.ContainsFunc(cands, func(c candidate) bool { return !strings.HasSuffix(c.word, "=") }) {
			return cands, dirNoSpace
		}
		return cands, dirNone
	}
	if !slices.ContainsFunc(c.Args, func(a cliFlag) bool { return a.Placeholder == "FILE" }) {
		return nil, dirNone // help and completion took their one word
	}
	var cands []candidate
	if c.Name == "connections" && positionals == 0 && !dashdash {
		cands = matching(cur, []candidate{{word: "clear", desc: "erase the recorded session"}})
	}
	return cands, dirFiles
}

// commandCandidates are the visible commands.
func commandCandidates(cur string) []candidate {
	var cands []candidate
	for _, c := range cliCommands() {
		if !c.Hidden {
			cands = append(cands, candidate{word: c.Name, desc: c.Help})
		}
	}
	return matching(cur, cands)
}

// flagCandidates are the flags not used yet (all of them may be given
// once): --flag for a switch, --flag= for one that takes a value.
func flagCandidates(flags []cliFlag, used map[string]bool) []candidate {
	var cands []candidate
	for _, f := range flags {
		if used[f.Long] && !f.Multiple {
			continue
		}
		w := f.Dashed()
		if f.Value {
			w += "="
		}
		cands = append(cands, candidate{word: w, desc: f.Help})
	}
	return cands
}

// valueCandidates are the values of a flag that complete cur, each
// after prefix (the "--db=" of cur, or nothing): the fixed ones of
// --format and --color, the recorded names for --db, --user and --app.
func valueCandidates(f cliFlag, prefix, cur string, getenv func(string) string) []candidate {
	typed := strings.TrimPrefix(cur, prefix)
	var cands []candidate
	for _, v := range flagValues(f) {
		if strings.HasPrefix(v, typed) {
			cands = append(cands, candidate{word: prefix + v})
		}
	}
	if pick := recordedNames[f.Long]; pick != nil {
		path, err := record.Path(getenv)
		if err != nil {
			return nil
		}
		seen := map[string]bool{}
		// A broken record completes the names read before the break.
		_ = record.Names(path, func(n aggregate.Names) {
			if v := pick(n); v != "" && strings.HasPrefix(v, typed) && !seen[v] {
				seen[v] = true
				cands = append(cands, candidate{word: prefix + v})
			}
		})
		slices.SortFunc(cands, func(a, b candidate) int { return strings.Compare(a.word, b.word) })
	}
	return cands
}

// matching keeps the candidates that start with what was typed.
func matching(cur string, cands []candidate) []candidate {
	var out []candidate
	for _, c := range cands {
		if strings.HasPrefix(c.word, cur) {
			out = append(out, c)
		}
	}
	return out
}

// Quoting for bash, which inserts candidates as they are.

type quoteState int

const (
	unquoted quoteState = iota
	inSingle
	inDouble
)

// shellWords splits a command line the way the shell does (blanks,
// quotes, backslashes): each word unquoted, and as typed, and the quote
// left open at its end. A line that ends in a blank ends with an empty
// word: the one being completed.
func shellWords(line string) (words, raws []string, open quoteState) {
	var word strings.Builder
	start, inWord := 0, false
	state := unquoted
	for i := 0; i < len(line); i++ {
		ch := line[i]
		if state == unquoted && (ch == ' ' || ch == '\t' || ch == '\n') {
			if inWord {
				words, raws = append(words, word.String()), append(raws, line[start:i])
				word.Reset()
				inWord = false
			}
			continue
		}
		if !inWord {
			start, inWord = i, true
		}
		switch {
		case state == unquoted && ch == '\\':
			if i+1 < len(line) {
				i++
				word.WriteByte(line[i])
			}
		case state == unquoted && ch == '\'':
			state = inSingle
		case state == unquoted && ch == '"':
			state = inDouble
		case state == inSingle && ch == '\'', state == inDouble && ch == '"':
			state = unquoted
		case state == inDouble && ch == '\\' && i+1 < len(line) && strings.IndexByte("$`\"\\\n", line[i+1]) >= 0:
			i++
			word.WriteByte(line[i])
		default:
			word.WriteByte(ch)
		}
	}
	words, raws = append(words, word.String()), append(raws, line[start:])
	if !inWord {
		raws[len(raws)-1] = ""
	}
	return words, raws, state
}

// bashRequote writes the candidate as the continuation of what was typed
// (raw, which unquotes to typed): the typed text is kept as it is and
// the rest of the candidate is quoted in the quotes left open, which are
// then closed.
func bashRequote(raw, typed, cand string) string {
	if !strings.HasPrefix(cand, typed) {
		return bashQuote(cand)
	}
	rest := cand[len(typed):]
	switch _, _, open := shellWords(raw); open {
	case inSingle:
		return raw + strings.ReplaceAll(rest, "'", `'\''`) + "'"
	case inDouble:
		var b strings.Builder
		for _, r := range rest {
			if strings.ContainsRune("$`\"\\", r) {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
		return raw + b.String() + `"`
	}
	return raw + bashQuote(rest)
}

// bashQuote escapes every character the shell would read specially.
func bashQuote(s string) string {
	var b strings.Builder
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:@%+,", r) || r > 127) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
