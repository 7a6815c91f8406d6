// Command gencatalog writes parse/catalog_gen.go: the translations of every
// PostgreSQL message pgtail reads, taken from PostgreSQL's own message
// catalogs, for every language they ship.
//
// It reads the server's compiled catalogs (postgres-15.mo, installed with
// the server package) and, for the messages of other server versions that
// differ, the small .po excerpts under testdata/catalog/<version>/, copied
// from PostgreSQL's src/backend/po/<lang>.po of that version. Each
// translation is split at its printf conversions into literal text and
// captures; a capture keeps the number of the English argument it prints,
// since translations reorder arguments (%2$s).
//
// Run it with go generate in parse/. It also rewrites the language list in
// README.md between its two marker lines.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/chai2010/gettext-go/mo"
	"github.com/chai2010/gettext-go/po"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// A role says how pgtail uses a message; parse/localize.go declares the
// same names.
type role string

const (
	roleEvent    role = "roleEvent"    // a LOG message that is an event, matched whole
	roleHead     role = "roleHead"     // the start of an authorized line; pieces follow
	rolePiece    role = "rolePiece"    // a piece appended to an authorized line
	roleFatal    role = "roleFatal"    // a FATAL that refuses a connection
	roleDetail   role = "roleDetail"   // an authentication failure's DETAIL reason
	roleSeverity role = "roleSeverity" // a severity word: LOG, FATAL, …
	roleLabel    role = "roleLabel"    // a follow-up line's label: "DETAIL:  ", …
	roleUnknown  role = "roleUnknown"  // the "[unknown]" placeholder of %u, %d, %a
)

// A message is one English msgid pgtail reads. versions says which server
// versions log it, for the README and the coverage test.
type message struct {
	id       string
	role     role
	versions string // "" for every version the .mo files are of; else which
}

// messages are the English texts of parse/message.go (events, resets,
// refusals), of the DETAIL causes and of elog.c's severity words and
// labels. Every one of them must be in at least one catalog or excerpt.
var messages = []message{
	// Connection events (log_connections, log_disconnections).
	{"connection received: host=%s port=%s", roleEvent, ""},
	{"connection received: host=%s", roleEvent, ""},
	{"connection authorized: user=%s", roleHead, ""},
	{"replication connection authorized: user=%s", roleHead, ""},
	{" database=%s", rolePiece, ""},
	{" application_name=%s", rolePiece, ""},
	{" SSL enabled (protocol=%s, cipher=%s, bits=%d)", rolePiece, ""},
	{" GSS (authenticated=%s, encrypted=%s, principal=%s)", rolePiece, ""},
	{" GSS (authenticated=%s, encrypted=%s)", rolePiece, ""},
	{" GSS (authenticated=%s, encrypted=%s, delegated_credentials=%s, principal=%s)", rolePiece, "16+"},
	{" GSS (authenticated=%s, encrypted=%s, delegated_credentials=%s)", rolePiece, "16+"},
	{"connection authorized: user=%s database=%s", roleEvent, "12, 13"},
	{"connection authorized: user=%s database=%s application_name=%s", roleEvent, "12, 13"},
	{"connection authorized: user=%s database=%s SSL enabled (protocol=%s, cipher=%s, bits=%d, compression=%s)", roleEvent, "12, 13"},
	{"connection authorized: user=%s database=%s application_name=%s SSL enabled (protocol=%s, cipher=%s, bits=%d, compression=%s)", roleEvent, "12, 13"},
	{"replication connection authorized: user=%s application_name=%s", roleEvent, "12, 13"},
	{"replication connection authorized: user=%s SSL enabled (protocol=%s, cipher=%s, bits=%d, compression=%s)", roleEvent, "12, 13"},
	{"replication connection authorized: user=%s application_name=%s SSL enabled (protocol=%s, cipher=%s, bits=%d, compression=%s)", roleEvent, "12, 13"},
	{"disconnection: session time: %d:%02d:%02d.%03d user=%s database=%s host=%s%s%s", roleEvent, ""},
	{"connection ready: setup total=%.3f ms, fork=%.3f ms, authentication=%.3f ms", roleEvent, "18+"},
	// Server lifecycle: every session ends.
	{"starting %s", roleEvent, ""},
	{"database system is shut down", roleEvent, ""},
	{"received immediate shutdown request", roleEvent, ""},
	{"terminating any other active server processes", roleEvent, ""},
	{"all server processes terminated; reinitializing", roleEvent, ""},
	{"database system was interrupted; last known up at %s", roleEvent, ""},
	{"database system was not properly shut down; automatic recovery in progress", roleEvent, ""},
	// Refusals (FATAL). The "<method> authentication failed for user"
	// messages are added from the catalogs (authFailed).
	{"sorry, too many clients already", roleFatal, ""},
	{"too many connections for role \"%s\"", roleFatal, ""},
	{"too many connections for database \"%s\"", roleFatal, ""},
	{"remaining connection slots are reserved for non-replication superuser connections", roleFatal, "12-15"},
	{"remaining connection slots are reserved for roles with the %s attribute", roleFatal, "16+"},
	{"remaining connection slots are reserved for roles with privileges of the \"%s\" role", roleFatal, "16+"},
	{"no pg_hba.conf entry for replication connection from host \"%s\", user \"%s\", %s", roleFatal, ""},
	{"no pg_hba.conf entry for host \"%s\", user \"%s\", database \"%s\", %s", roleFatal, ""},
	{"pg_hba.conf rejects replication connection for host \"%s\", user \"%s\", %s", roleFatal, ""},
	{"pg_hba.conf rejects connection for host \"%s\", user \"%s\", database \"%s\", %s", roleFatal, ""},
	{"database \"%s\" does not exist", roleFatal, ""},
	{"database \"%s\" is not currently accepting connections", roleFatal, ""},
	{"role \"%s\" does not exist", roleFatal, ""},
	{"role \"%s\" is not permitted to log in", roleFatal, ""},
	{"permission denied for database \"%s\"", roleFatal, ""},
	{"cannot connect to invalid database \"%s\"", roleFatal, ""},
	{"must be superuser or replication role to start walsender", roleFatal, "12-15"},
	{"permission denied to start WAL sender", roleFatal, "16+"},
	{"must be superuser to connect in binary upgrade mode", roleFatal, ""},
	{"must be superuser to connect during database shutdown", roleFatal, ""},
	{"new replication connections are not allowed during database shutdown", roleFatal, ""},
	{"the database system is starting up", roleFatal, ""},
	{"the database system is shutting down", roleFatal, ""},
	{"the database system is in recovery mode", roleFatal, ""},
	{"the database system is not yet accepting connections", roleFatal, ""},
	{"the database system is not accepting connections", roleFatal, ""},
	{"connection requires a valid client certificate", roleFatal, ""},
	{"canceling authentication due to timeout", roleFatal, ""},
	{"authentication failed for user \"%s\": host rejected", roleFatal, ""},
	{"authentication failed for user \"%s\": invalid authentication method", roleFatal, ""},
	{"no PostgreSQL user name specified in startup packet", roleFatal, ""},
	{"unsupported frontend protocol %u.%u: server supports %u.0 to %u.%u", roleFatal, ""},
	// DETAIL causes of authentication failures.
	{"Connection matched pg_hba.conf line %d: \"%s\"", roleDetail, "12-15"},
	{"Connection matched file \"%s\" line %d: \"%s\"", roleDetail, "16+"},
	{"Password does not match for user \"%s\".", roleDetail, ""},
	{"Role \"%s\" does not exist.", roleDetail, ""},
	{"User \"%s\" has no password assigned.", roleDetail, ""},
	{"User \"%s\" has an expired password.", roleDetail, ""},
	{"User \"%s\" has a password that cannot be used with MD5 authentication.", roleDetail, ""},
	{"User \"%s\" does not have a valid SCRAM secret.", roleDetail, ""},
	{"User \"%s\" does not have a valid SCRAM verifier.", roleDetail, "12"},
	{"Password of user \"%s\" is in unrecognized format.", roleDetail, ""},
	// elog.c: severity words, follow-up labels, and the placeholder of
	// an unknown user, database or application in the prefix.
	{"LOG", roleSeverity, ""}, {"FATAL", roleSeverity, ""}, {"ERROR", roleSeverity, ""}, {"WARNING", roleSeverity, ""},
	{"NOTICE", roleSeverity, ""}, {"INFO", roleSeverity, ""}, {"DEBUG", roleSeverity, ""}, {"PANIC", roleSeverity, ""},
	{"DETAIL:  ", roleLabel, ""}, {"HINT:  ", roleLabel, ""}, {"QUERY:  ", roleLabel, ""}, {"CONTEXT:  ", roleLabel, ""},
	{"LOCATION:  %s:%d\n", roleLabel, ""}, {"STATEMENT:  ", roleLabel, ""}, {"BACKTRACE:  ", roleLabel, ""},
	{"[unknown]", roleUnknown, ""},
}

// authFailed finds the per-method authentication failures
// ("Ident authentication failed for user \"%s\"", …) in the catalogs.
var authFailed = regexp.MustCompile(`^("trust"|[A-Za-z]+( bearer)?) authentication failed for user "%s"$`)

// An entry is one translation of one message.
type entry struct {
	lang, id, text string
	role           role
	versions       []string
}

func main() {
	moGlob := flag.String("mo", "/usr/share/locale/*/LC_MESSAGES/postgres-15.mo", "compiled catalogs of the installed server (`glob`)")
	moVersion := flag.String("mo-version", "15", "the server version of the compiled catalogs")
	poDir := flag.String("po", "../testdata/catalog", "`dir` of .po excerpts, one folder per server version")
	out := flag.String("o", "catalog_gen.go", "output `file`")
	readme := flag.String("readme", "../README.md", "README whose language list to rewrite (empty: none)")
	print := flag.String("print", "", "write nothing; print the translations of `lang` for test scripts: of the msgids given as arguments, one a line, or else of the table (role, msgid, text; TAB-separated, newlines as \\n)")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("gencatalog: ")

	known := map[string]role{}
	for _, m := range messages {
		known[m.id] = m.role
	}
	entries := map[[3]string]*entry{}
	lookup := map[string]string{} // every msgid of the -print language
	team := map[string]string{}
	seen := map[string]bool{}
	add := func(lang, version, id, text string) {
		r, ok := known[id]
		if !ok && authFailed.MatchString(id) {
			r, ok = roleFatal, true
		}
		if !ok || text == "" {
			return
		}
		if err := sameConversions(id, text); err != nil {
			log.Printf("%s %s: skipped %q: %v", lang, version, text, err)
			return
		}
		seen[id] = true
		k := [3]string{lang, id, text}
		e := entries[k]
		if e == nil {
			e = &entry{lang: lang, id: id, text: text, role: r}
			entries[k] = e
		}
		if !slices.Contains(e.versions, version) {
			e.versions = append(e.versions, version)
		}
	}

	files, err := filepath.Glob(*moGlob)
	if err != nil || len(files) == 0 {
		log.Fatalf("no catalogs match %s", *moGlob)
	}
	for _, fn := range files {
		lang := filepath.Base(filepath.Dir(filepath.Dir(fn)))
		f, err := mo.LoadFile(fn)
		if err != nil {
			log.Fatalf("%s: %v", fn, err)
		}
		team[lang] = languageName(lang)
		for _, m := range f.Messages {
			if m.MsgContext == "" && m.MsgIdPlural == "" {
				add(lang, *moVersion, m.MsgId, m.MsgStr)
				if lang == *print {
					lookup[m.MsgId] = m.MsgStr
				}
			}
		}
	}
	pos, _ := filepath.Glob(filepath.Join(*poDir, "*", "*.po"))
	for _, fn := range pos {
		version := filepath.Base(filepath.Dir(fn))
		lang := strings.TrimSuffix(filepath.Base(fn), ".po")
		f, err := po.LoadFile(fn)
		if err != nil {
			log.Fatalf("%s: %v", fn, err)
		}
		if _, ok := team[lang]; !ok {
			team[lang] = languageName(lang)
		}
		for _, m := range f.Messages {
			if m.MsgContext == "" && m.MsgIdPlural == "" && !slices.Contains(m.Flags, "fuzzy") {
				add(lang, version, m.MsgId, m.MsgStr)
			}
		}
	}
	for _, m := range messages {
		if !seen[m.id] && m.versions == "" {
			log.Fatalf("no catalog translates %q: is the msgid right?", m.id)
		}
		if !seen[m.id] && *print == "" {
			log.Printf("no catalog or excerpt translates %q (PostgreSQL %s)", m.id, m.versions)
		}
	}

	var list []*entry
	for _, e := range entries {
		list = append(list, e)
	}
	order := map[string]int{}
	for i, m := range messages {
		order[m.id] = i
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if a.lang != b.lang {
			return a.lang < b.lang
		}
		oa, oka := order[a.id]
		ob, okb := order[b.id]
		if !oka {
			oa = len(messages)
		}
		if !okb {
			ob = len(messages)
		}
		if oa != ob {
			return oa < ob
		}
		if a.id != b.id {
			return a.id < b.id
		}
		return a.text < b.text
	})

	if *print != "" && flag.NArg() > 0 {
		for _, id := range flag.Args() {
			text := lookup[id]
			if text == "" {
				text = id // untranslated: the server logs the English text
			}
			fmt.Println(strings.ReplaceAll(text, "\n", `\n`))
		}
		return
	}
	if *print != "" {
		esc := strings.NewReplacer("\n", `\n`, "\t", `\t`)
		for _, e := range list {
			if e.lang == *print {
				fmt.Printf("%s\t%s\t%s\n", strings.TrimPrefix(string(e.role), "role"), esc.Replace(e.id), esc.Replace(e.text))
			}
		}
		return
	}
	src, err := generate(list, team)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		log.Fatal(err)
	}
	if *readme != "" {
		if err := writeReadme(*readme, team, list); err != nil {
			log.Fatal(err)
		}
	}
}

// languageName is the English name of a catalog's language ("zh_CN":
// "Simplified Chinese"), from CLDR.
func languageName(lang string) string {
	tag, err := language.Parse(strings.ReplaceAll(lang, "_", "-"))
	if err != nil {
		return lang
	}
	if name := display.English.Tags().Name(tag); name != "" {
		return name
	}
	return lang
}

// A conv is one printf conversion of a message.
type conv struct {
	start, end int  // where it is in the text
	arg        int  // the 1-based argument it prints; 0 for %m
	prints     bool // false for %%
}

// conversions reads the printf conversions of s: %s, %d, %02d, %.3f, %lu,
// %m, %.*s, %%, and the positional forms (%2$s, %1$.*2$s).
func conversions(s string) ([]conv, error) {
	var out []conv
	next := 1
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		start := i
		i++
		if i < len(s) && s[i] == '%' {
			continue
		}
		pos := 0
		if j := digitsEnd(s, i); j < len(s) && j > i && s[j] == '$' {
			pos, _ = strconv.Atoi(s[i:j])
			i = j + 1
		}
		for i < len(s) && strings.IndexByte("-+ #0'", s[i]) >= 0 {
			i++
		}
		star := func() {
			if i < len(s) && s[i] == '*' {
				i++
				if j := digitsEnd(s, i); j < len(s) && j > i && s[j] == '$' {
					i = j + 1
				} else if pos == 0 {
					next++
				}
			}
		}
		star()
		i = digitsEnd(s, i)
		if i < len(s) && s[i] == '.' {
			i++
			star()
			i = digitsEnd(s, i)
		}
		for i < len(s) && strings.IndexByte("hlLqjzt", s[i]) >= 0 {
			i++
		}
		if i >= len(s) {
			return nil, fmt.Errorf("conversion at %d is cut short", start)
		}
		c := conv{start: start, end: i + 1, prints: true}
		switch s[i] {
		case 'm':
			c.arg = 0
		case 's', 'd', 'i', 'u', 'x', 'X', 'o', 'f', 'g', 'e', 'c', 'p':
			if pos > 0 {
				c.arg = pos
			} else {
				c.arg = next
				next++
			}
		default:
			return nil, fmt.Errorf("unknown conversion %q", s[start:i+1])
		}
		out = append(out, c)
	}
	return out, nil
}

func digitsEnd(s string, i int) int {
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// sameConversions checks that a translation prints the arguments of its
// msgid, each once.
func sameConversions(id, text string) error {
	a, err := conversions(id)
	if err != nil {
		return fmt.Errorf("msgid: %v", err)
	}
	b, err := conversions(text)
	if err != nil {
		return err
	}
	args := func(cs []conv) []int {
		var out []int
		for _, c := range cs {
			out = append(out, c.arg)
		}
		slices.Sort(out)
		return out
	}
	if !slices.Equal(args(a), args(b)) {
		return fmt.Errorf("prints arguments %v, the msgid %v", args(b), args(a))
	}
	return nil
}

// split cuts s at its conversions: the literal texts around them (with
// %% as %) and, for each conversion, the index of the msgid's conversion
// that prints the same argument.
func split(s string, idConvs []conv) (lits []string, caps []int) {
	cs, _ := conversions(s)
	last := 0
	var lit strings.Builder
	for _, c := range cs {
		lit.WriteString(strings.ReplaceAll(s[last:c.start], "%%", "%"))
		lits = append(lits, lit.String())
		lit.Reset()
		for k, ic := range idConvs {
			if ic.arg == c.arg {
				caps = append(caps, k)
				break
			}
		}
		last = c.end
	}
	lit.WriteString(strings.ReplaceAll(s[last:], "%%", "%"))
	lits = append(lits, lit.String())
	return lits, caps
}

func generate(list []*entry, team map[string]string) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("// Code generated by scripts/gencatalog from PostgreSQL's message catalogs; DO NOT EDIT.\n\n")
	b.WriteString("package parse\n\n")
	var langs []string
	for l := range team {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	b.WriteString("// catalogLanguages are the languages of the catalogs read, with their names.\n")
	b.WriteString("var catalogLanguages = [...][2]string{\n")
	for _, l := range langs {
		fmt.Fprintf(&b, "\t{%q, %q},\n", l, team[l])
	}
	b.WriteString("}\n\n")
	b.WriteString("// catalog holds the translation of every message pgtail reads, cut at\n")
	b.WriteString("// its printf conversions: lits are the literal texts around the captures,\n")
	b.WriteString("// caps the English conversion each capture prints (translations reorder\n")
	b.WriteString("// them), en the literal texts of the English msgid.\n")
	b.WriteString("var catalog = [...]catalogEntry{\n")
	for _, e := range list {
		idConvs, _ := conversions(e.id)
		enLits, _ := split(e.id, idConvs)
		lits, caps := split(e.text, idConvs)
		fmt.Fprintf(&b, "\t{lang: %q, role: %s, versions: %q,\n\t\tid: %q,\n\t\ttext: %q,\n\t\tlits: %#v, caps: %s, en: %#v},\n",
			e.lang, e.role, strings.Join(e.versions, ","), e.id, e.text, lits, capsLit(caps), enLits)
	}
	b.WriteString("}\n")
	return format.Source(b.Bytes())
}

func capsLit(caps []int) string {
	if len(caps) == 0 {
		return "nil"
	}
	var s []string
	for _, c := range caps {
		s = append(s, strconv.Itoa(c))
	}
	return "[]uint8{" + strings.Join(s, ", ") + "}"
}

const (
	readmeBegin = "<!-- languages: written by scripts/gencatalog (go generate ./parse) -->"
	readmeEnd   = "<!-- end of languages -->"
)

// writeReadme rewrites the language list between the README's markers.
func writeReadme(path string, team map[string]string, list []*entry) error {
	old, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	i, j := bytes.Index(old, []byte(readmeBegin)), bytes.Index(old, []byte(readmeEnd))
	if i < 0 || j < i {
		return fmt.Errorf("%s: no %q … %q block", path, readmeBegin, readmeEnd)
	}
	count := map[string]int{}
	versions := map[string]map[string]bool{}
	for _, e := range list {
		if e.role == roleSeverity || e.role == roleLabel || e.role == roleUnknown {
			continue
		}
		count[e.lang]++
		if versions[e.lang] == nil {
			versions[e.lang] = map[string]bool{}
		}
		for _, v := range e.versions {
			versions[e.lang][v] = true
		}
	}
	var langs []string
	for l := range team {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	var b bytes.Buffer
	b.WriteString(readmeBegin + "\n")
	b.WriteString("| lc_messages | language | translated messages read | from the catalogs of |\n|---|---|---|---|\n")
	for _, l := range langs {
		var vs []string
		for v := range versions[l] {
			vs = append(vs, v)
		}
		sort.Strings(vs)
		fmt.Fprintf(&b, "| `%s` | %s | %d | PostgreSQL %s |\n", l, team[l], count[l], strings.Join(vs, ", "))
	}
	out := append(append(append([]byte{}, old[:i]...), b.Bytes()...), old[j:]...)
	return os.WriteFile(path, out, 0o644)
}
