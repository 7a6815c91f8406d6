package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// weirdNames are recorded names a shell would read specially.
var weirdNames = [][3]string{ // db, user, app
	{"production", "app_user", "rails"},
	{"prod-2", "x", "y"},
	{"my db", "o'brien", "psql $x"},
	{"a&b;c|d", `us"er`, "tab*app"},
	{"back\\slash", "`cmd`", "sp  two"},
}

// completionEnv records a session holding weirdNames (by running pgtail
// on a jsonlog) in a temp state file, and makes a directory with files
// to complete. It returns the environment for the shells and the dir.
func completionEnv(t *testing.T) (env []string, dir string) {
	t.Helper()
	dir = t.TempDir()
	state := filepath.Join(dir, "state", "connections.json")
	var log bytes.Buffer
	for i, n := range weirdNames {
		b, _ := json.Marshal(map[string]any{
			"timestamp": "2026-11-24 10:00:00.000 UTC", "user": n[1], "dbname": n[0], "pid": 1000 + i,
			"error_severity": "LOG", "application_name": n[2],
			"message": "connection authorized: user=" + n[1] + " database=" + n[0] + " application_name=" + n[2],
		})
		log.Write(append(b, '\n'))
	}
	logPath := filepath.Join(dir, "test file.log")
	if err := os.WriteFile(logPath, log.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"testfile.log", "other.log"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "test dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	getenv := func(k string) string { return map[string]string{"PGTAIL_STATE": state}[k] }
	if code := run([]string{"connections", logPath}, nil, &out, &errb, getenv); code != 0 || !strings.Contains(out.String(), "Active connections: 5") {
		t.Fatalf("recording: exit %d\n%s%s", code, out.String(), errb.String())
	}
	home := t.TempDir() // the shells' own files (fish writes some) go there
	env = append(os.Environ(), "PGTAIL_STATE="+state, "HOME="+home, "XDG_CONFIG_HOME="+home, "XDG_DATA_HOME="+home, "XDG_CACHE_HOME="+home)
	return env, dir
}

// shell finds a shell: a test skips without it, except in CI where the
// shells are installed (.ci/run) and a missing one fails.
func shell(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed (scripts/test.sh installs it)", name)
		}
		t.Skipf("%s is not installed", name)
	}
	if _, err := exec.LookPath("pgtail"); err != nil {
		t.Fatal("pgtail is not on PATH (TestMain puts the test binary there)")
	}
	return p
}

// runShell runs script in the shell and returns the candidates of each
// query: the script prints them one a line, a query ending in "--end--".
func runShell(t *testing.T, env []string, dir string, argv []string, script string) [][]string {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env, cmd.Dir = env, dir
	cmd.Stdin = strings.NewReader(script)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %v\n%s", argv, err, out)
	}
	var queries [][]string
	var cur []string
	for _, l := range strings.Split(string(out), "\n") {
		if l == "--end--" {
			queries, cur = append(queries, cur), nil
		} else if l != "" {
			cur = append(cur, l)
		}
	}
	if len(cur) > 0 {
		t.Fatalf("output after the last query: %q\n%s", cur, out)
	}
	return queries
}

// A query of the shell tests: what is typed and what must come back.
type compQuery struct {
	line string   // the command line up to the cursor
	want []string // the candidates, unquoted, in any order
}

// The queries every shell must answer alike.
func compQueries(t *testing.T) []compQuery {
	c, _ := lookupCommand("connections")
	var flags []string
	for _, f := range c.allFlags() {
		flags = append(flags, f.Dashed()+map[bool]string{true: "="}[f.Value])
	}
	col := func(i int, prefix string) []string {
		var out []string
		for _, n := range weirdNames {
			out = append(out, prefix+n[i])
		}
		return out
	}
	return []compQuery{
		{"pgtail ", []string{"connections", "completion", "help", "version"}},
		{"pgtail con", []string{"connections"}},
		{"pgtail connections --", flags},
		{"pgtail connections --hi", []string{"--history"}},
		{"pgtail connections --format=", []string{"--format=auto", "--format=stderr", "--format=csvlog", "--format=jsonlog", "--format=syslog",
			"--format=kubectl", "--format=cri", "--format=docker-json", "--format=journald", "--format=cloudnativepg", "--format=gcloud", "--format=heroku"}},
		{"pgtail connections --format=cs", []string{"--format=csvlog"}},
		{"pgtail connections --color=", []string{"--color=auto", "--color=always", "--color=never"}},
		{"pgtail connections --db=", col(0, "--db=")},
		{"pgtail connections --db=pro", []string{"--db=production", "--db=prod-2"}},
		{"pgtail connections --user=", col(1, "--user=")},
		{"pgtail connections --app=", col(2, "--app=")},
		{"pgtail connections --db ", col(0, "")},
		{"pgtail connections --watch --user ", col(1, "")},
		{"pgtail completion ", []string{"bash", "zsh", "fish"}},
		{"pgtail help ", []string{"connections", "completion", "help", "version"}},
	}
}

// Files, clear and quoted words differ by shell; each test adds its own.

// checkAnswers compares the shell's answers with the queries', after a
// first answer of the script's own (how it registered), when header is set.
func checkAnswers(t *testing.T, shell string, got [][]string, header []string, queries []compQuery) {
	t.Helper()
	if header != nil {
		if len(got) == 0 || !slices.Equal(got[0], header) {
			t.Fatalf("%s registered the completion as %q, want %q", shell, got, header)
		}
		got = got[1:]
	}
	if len(got) != len(queries) {
		t.Fatalf("%s: %d answers for %d queries: %q", shell, len(got), len(queries), got)
	}
	for i, q := range queries {
		if !sameSet(got[i], q.want) {
			t.Errorf("%s %q:\n got %q\nwant %q", shell, q.line, got[i], q.want)
		}
	}
}

func sameSet(got, want []string) bool {
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	return slices.Equal(g, w)
}

// bash: the script is loaded with eval, then _pgtail is called with
// COMP_LINE, COMP_POINT, COMP_WORDS and COMP_CWORD set as bash sets them
// (the = of --db=x is a word of its own: COMP_WORDBREAKS), and COMPREPLY
// is read. Each reply is put back in the line and evaluated by bash, so
// the quoting is bash's own.
func TestCompletionBash(t *testing.T) {
	sh := shell(t, "bash")
	env, dir := completionEnv(t)
	var script strings.Builder
	script.WriteString(`eval "$(pgtail completion bash)"
complete -p pgtail
echo --end--
compopt() { opts+=" $*"; } # outside a completion, bash's own compopt fails
# comp LINE WORD... : the words as bash splits the line (last: the current one)
comp() {
	COMP_LINE=$1 COMP_POINT=${#1}
	shift
	COMP_WORDS=("$@") COMP_CWORD=$(($# - 1))
	local word=${COMP_LINE##* } cw=${COMP_WORDS[COMP_CWORD]} r
	[[ $cw == = ]] && cw= # readline replaces only what follows the =

	COMPREPLY=() opts=
	_pgtail
	if [[ $opts == *"-o filenames"* ]]; then
		printf '%s\n' "${COMPREPLY[@]}" # readline quotes file names itself
	else
		for r in "${COMPREPLY[@]}"; do
			eval "set -- ${word%"$cw"}$r"
			printf '%s\n' "$1"
		done
	fi
	echo --end--
}
`)
	queries := compQueries(t)
	queries = append(queries,
		compQuery{"pgtail connections te", []string{"test file.log", "test dir", "testfile.log"}},
		compQuery{"pgtail connections ", []string{"clear", "test file.log", "test dir", "testfile.log", "other.log", "state"}},
		compQuery{"pgtail connections x.log ", []string{"test file.log", "test dir", "testfile.log", "other.log", "state"}},
		compQuery{`pgtail connections --db='my`, []string{"--db=my db"}},
		compQuery{`pgtail connections --db="a&`, []string{"--db=a&b;c|d"}},
		compQuery{`pgtail connections --user=o\'`, []string{"--user=o'brien"}},
		compQuery{`pgtail connections --app psql\ `, []string{"psql $x"}},
	)
	for _, q := range queries {
		words := bashWords(q.line)
		script.WriteString("comp " + shellQuote(q.line))
		for _, w := range words {
			script.WriteString(" " + shellQuote(w))
		}
		script.WriteString("\n")
	}
	got := runShell(t, env, dir, []string{sh, "--norc", "--noprofile"}, script.String())
	checkAnswers(t, "bash", got, []string{"complete -F _pgtail pgtail"}, queries)
}

// bashWords splits a line the way bash's completion does into
// COMP_WORDS: at blanks outside quotes, and with each = of
// COMP_WORDBREAKS a word of its own.
func bashWords(line string) []string {
	_, raws, _ := shellWords(line)
	var words []string
	for _, r := range raws {
		if k := strings.Index(r, "="); k > 0 && strings.HasPrefix(r, "-") {
			words = append(words, r[:k], "=")
			if r[k+1:] != "" {
				words = append(words, r[k+1:])
			}
			continue
		}
		words = append(words, r)
	}
	return words
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// zsh: the script is sourced after compinit (it registers itself with
// compdef), and _pgtail is called with words, CURRENT and PREFIX set as
// zsh sets them; compadd and _files are replaced by functions that print
// what they are given (zsh quotes what compadd adds itself).
func TestCompletionZsh(t *testing.T) {
	sh := shell(t, "zsh")
	env, dir := completionEnv(t)
	var script strings.Builder
	script.WriteString(`autoload -U compinit && compinit -u -d "$HOME/.zcompdump"
source <(pgtail completion zsh)
print -r -- "$_comps[pgtail]"
print -r -- --end--
compadd() {
	while [[ $1 == -* && $1 != -- ]]; do shift; [[ $1 == '' ]] && shift; done
	[[ $1 == -- ]] && shift
	print -rl -- "$@"
}
_files() { print -r -- "<files>" }
# comp PREFIX WORD... : the words before the current one, then PREFIX
comp() {
	PREFIX=$1
	shift
	words=("$@" "$PREFIX") CURRENT=$(($# + 1))
	_pgtail
	print -r -- --end--
}
`)
	queries := compQueries(t)
	queries = append(queries,
		compQuery{"pgtail connections te", []string{"<files>"}},
		compQuery{"pgtail connections ", []string{"clear", "<files>"}},
		compQuery{"pgtail connections x.log ", []string{"<files>"}},
	)
	for _, q := range queries {
		words, _, _ := shellWords(q.line)
		script.WriteString("comp " + shellQuote(words[len(words)-1]))
		for _, w := range words[:len(words)-1] {
			script.WriteString(" " + shellQuote(w))
		}
		script.WriteString("\n")
	}
	got := runShell(t, env, dir, []string{sh, "-f"}, script.String())
	checkAnswers(t, "zsh", got, []string{"_pgtail"}, queries)
}

// fish: the script is loaded with `| source` and `complete -C LINE`
// asks fish itself for the candidates, as a TAB would.
func TestCompletionFish(t *testing.T) {
	sh := shell(t, "fish")
	env, dir := completionEnv(t)
	var script strings.Builder
	script.WriteString("pgtail completion fish | source\n")
	queries := compQueries(t)
	queries = append(queries,
		compQuery{"pgtail connections te", []string{"test file.log", "test dir/", "testfile.log"}},
		compQuery{"pgtail connections ", []string{"clear", "test file.log", "test dir/", "testfile.log", "other.log", "state/"}},
		compQuery{"pgtail connections x.log ", []string{"test file.log", "test dir/", "testfile.log", "other.log", "state/"}},
		compQuery{`pgtail connections --db='my`, []string{"--db=my db"}},
		compQuery{`pgtail connections --user=o\'`, []string{"--user=o'brien"}},
		compQuery{`pgtail connections --app psql\ `, []string{"psql $x"}},
	)
	for _, q := range queries {
		script.WriteString("complete -C " + fishQuote(q.line) + " | string replace -r '\\t.*' ''\necho --end--\n")
	}
	got := runShell(t, env, dir, []string{sh, "--no-config"}, script.String())
	checkAnswers(t, "fish", got, nil, queries)
}

func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// The engine without a shell: what each position completes to.
func TestCompleteWords(t *testing.T) {
	env := func(string) string { return "" } // no PGTAIL_STATE, no HOME: no record
	for _, tc := range []struct {
		words []string
		want  string // the candidates, then the directive
	}{
		{[]string{"--he"}, "--help plain"},
		{[]string{"frob", ""}, "plain"},
		{[]string{"connections", "--watch", "--w"}, "--window= nospace"},
		{[]string{"connections", "--history", "--json", "--"}, "--watch --db= --user= --app= --format= --prefix= --window= --bucket= --color= --max-connections= --follow --listen= --help --version plain"},
		{[]string{"connections", "--db", ""}, "plain"},
		{[]string{"connections", "--format", "j"}, "jsonlog journald plain"},
		{[]string{"connections", "--nope=", ""}, "clear files"},
		{[]string{"connections", "--window", "1h", "c"}, "clear files"},
		{[]string{"connections", "--", "-"}, "files"},
		{[]string{"connections", "-", ""}, "files"},
		{[]string{"completion", "z"}, "zsh plain"},
		{[]string{"completion", "bash", ""}, "plain"},
		{[]string{"version", ""}, "plain"},
	} {
		cands, dir := completeWords(tc.words, env)
		var got []string
		for _, c := range cands {
			got = append(got, c.word)
		}
		if s := strings.Join(append(got, string(dir)), " "); s != tc.want {
			t.Errorf("%q: got %q, want %q", tc.words, s, tc.want)
		}
	}
}

// A reply for bash, put back in the line, unquotes to the candidate,
// whatever quotes the word was started with.
func TestBashRequote(t *testing.T) {
	for _, name := range []string{"plain", "my db", "o'brien", `us"er`, "a&b;c|d", `back\slash`, "$HOME", "`cmd`", "sp  two", "ünï", "*?[x]"} {
		for _, raw := range []string{"", "'", `"`} {
			q := bashRequote(raw, "", name)
			words, _, open := shellWords(q)
			if len(words) != 1 || words[0] != name || open != unquoted {
				t.Errorf("%q after %q: %q reads back as %q", name, raw, q, words)
			}
		}
	}
}
