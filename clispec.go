package main

import (
	"encoding"
	"reflect"
	"strings"

	"github.com/pgtail/pgtail/parse"
)

// The command line as data, read by reflection from the same struct tags
// go-arg parses (cliArgs), so that completion, suggestions and the man
// page cannot forget a flag or a command.

// cliCommand is one subcommand of cliArgs.
type cliCommand struct {
	Name   string
	Help   string
	Hidden bool
	Flags  []cliFlag
	Args   []cliFlag // positionals, in order
	typ    reflect.Type
}

// cliFlag is one option (or positional) of a command.
type cliFlag struct {
	Long        string // without the dashes
	Short       string
	Help        string
	Placeholder string
	Default     string
	Value       bool // takes a value (everything but a bool)
	Multiple    bool // a slice: may be given more than once
	typ         reflect.Type
}

// Dashed is the flag as typed: --long.
func (f cliFlag) Dashed() string { return "--" + f.Long }

// builtinFlags are the options go-arg adds to every command.
var builtinFlags = []cliFlag{
	{Long: "help", Short: "h", Help: "display this help and exit"},
	{Long: "version", Help: "display version and exit"},
}

// cliCommands lists the subcommands of cliArgs, in declaration order.
func cliCommands() []cliCommand {
	t := reflect.TypeOf(cliArgs{})
	var cmds []cliCommand
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tags := argTags(f)
		name, ok := tags["subcommand"]
		if !ok {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		name, _, _ = strings.Cut(name, "|")
		c := cliCommand{Name: name, Help: f.Tag.Get("help"), typ: f.Type.Elem()}
		_, c.Hidden = tags["hidden"]
		c.Flags, c.Args = structFlags(c.typ)
		cmds = append(cmds, c)
	}
	return cmds
}

// lookupCommand returns the visible command of that name.
func lookupCommand(name string) (cliCommand, bool) {
	for _, c := range cliCommands() {
		if c.Name == name && !c.Hidden {
			return c, true
		}
	}
	return cliCommand{}, false
}

// commandNames are the names of the visible commands.
func commandNames() []string {
	var names []string
	for _, c := range cliCommands() {
		if !c.Hidden {
			names = append(names, c.Name)
		}
	}
	return names
}

// structFlags reads the options and positionals of a command struct the
// way go-arg does: the long name is --lowercase(field) unless the tag
// names one, the placeholder is the upper-case long name unless given.
func structFlags(t reflect.Type) (flags, args []cliFlag) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() || f.Tag.Get("arg") == "-" {
			continue
		}
		tags := argTags(f)
		fl := cliFlag{Long: strings.ToLower(f.Name), Help: f.Tag.Get("help"), typ: f.Type}
		for k := range tags {
			switch {
			case strings.HasPrefix(k, "--"):
				fl.Long = k[2:]
			case strings.HasPrefix(k, "-"):
				fl.Short = k[1:]
			}
		}
		fl.Placeholder = f.Tag.Get("placeholder")
		if fl.Placeholder == "" {
			fl.Placeholder = strings.ToUpper(fl.Long)
		}
		fl.Default = f.Tag.Get("default")
		fl.Multiple = f.Type.Kind() == reflect.Slice
		fl.Value = f.Type.Kind() != reflect.Bool
		if _, ok := tags["positional"]; ok {
			args = append(args, fl)
			continue
		}
		if _, hidden := tags["hidden"]; !hidden {
			flags = append(flags, fl)
		}
	}
	return flags, args
}

// argTags splits a field's arg tag into keys and values.
func argTags(f reflect.StructField) map[string]string {
	m := map[string]string{}
	for _, key := range strings.Split(f.Tag.Get("arg"), ",") {
		key = strings.TrimSpace(key)
		if key == "" {
			continue
		}
		k, v, _ := strings.Cut(key, ":")
		m[k] = v
	}
	return m
}

// allFlags are the flags of c and the ones go-arg adds to it.
func (c cliCommand) allFlags() []cliFlag {
	return append(append([]cliFlag{}, c.Flags...), builtinFlags...)
}

// lookupFlag finds a flag of c by its long name.
func (c cliCommand) lookupFlag(long string) (cliFlag, bool) {
	for _, f := range c.allFlags() {
		if f.Long == long {
			return f, true
		}
	}
	return cliFlag{}, false
}

// flagValues are the fixed values a flag takes (--format, --color), nil
// for a free-form value. Every flag whose type parses text must have
// them: a test fails otherwise.
func flagValues(f cliFlag) []string {
	switch f.typ {
	case reflect.TypeOf(parse.Format(0)):
		return formatNames()
	case reflect.TypeOf(colorMode("")):
		return colorModes
	}
	return nil
}

// formatNames are the names parse.Format takes, in its order: every
// value whose name reads back to itself.
func formatNames() []string {
	var names []string
	for i := 0; i < 256; i++ {
		var back parse.Format
		name := parse.Format(i).String()
		if back.UnmarshalText([]byte(name)) == nil && back == parse.Format(i) {
			names = append(names, name)
		}
	}
	return names
}

// parsesText reports whether a flag's type parses its own text (an
// enumeration, most of the time).
func parsesText(t reflect.Type) bool {
	return reflect.PointerTo(t).Implements(reflect.TypeOf((*encoding.TextUnmarshaler)(nil)).Elem())
}
