package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every line pgtail writes on stderr when something is wrong starts
// with "pgtail: ", except the two texts the contract fixes and go-arg's
// usage line that follows a usage error.
func TestErrorLinesArePrefixed(t *testing.T) {
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.json")
	if err := os.WriteFile(corrupt, []byte("not a record\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	notGzip := filepath.Join(dir, "x.gz")
	if err := os.WriteFile(notGzip, []byte("plain\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	contract := map[string]bool{"Cannot use --history and --watch together.": true, "clear ignores other options": true}
	for _, tc := range []struct {
		args  []string
		state string
		input string
	}{
		{args: []string{}},
		{args: []string{"frobnicate"}},
		{args: []string{"connection"}},
		{args: []string{"connections", "--hisory"}},
		{args: []string{"connections", "--bogus"}},
		{args: []string{"connections", "-x"}},
		{args: []string{"connections", "--db"}},
		{args: []string{"connections", "--db="}},
		{args: []string{"connections", "--color=sometimes"}},
		{args: []string{"connections", "--format=xml"}},
		{args: []string{"connections", "--window=banana"}},
		{args: []string{"connections", "--window=30m", "--bucket=1h"}},
		{args: []string{"connections", "--bucket=0s"}},
		{args: []string{"connections", "--window=1000h", "--bucket=1s"}},
		{args: []string{"connections", "--max-connections=-1"}},
		{args: []string{"connections", "--history", "--watch"}},
		{args: []string{"connections", "clear", "--db=x"}},
		{args: []string{"connections", filepath.Join(dir, "missing.log")}},
		{args: []string{"connections", notGzip}},
		{args: []string{"connections", "--history", "-"}, input: "2026 [1] LOG:  connection authorized: user=a database=b\n"},
		{args: []string{"connections", "-"}, input: "no postgres here\n"},
		{args: []string{"connections"}, state: corrupt},
		{args: []string{"help", "nope"}},
		{args: []string{"completion"}},
		{args: []string{"completion", "tcsh"}},
		{args: []string{"version", "extra"}},
	} {
		state := tc.state
		if state == "" {
			state = filepath.Join(t.TempDir(), "connections.json")
		}
		var out, errb bytes.Buffer
		getenv := func(k string) string { return map[string]string{"PGTAIL_STATE": state}[k] }
		var stdin *strings.Reader
		if tc.input != "" {
			stdin = strings.NewReader(tc.input)
		}
		var code int
		if stdin != nil {
			code = run(tc.args, stdin, &out, &errb, getenv)
		} else {
			code = run(tc.args, nil, &out, &errb, getenv)
		}
		if errb.Len() == 0 {
			t.Errorf("pgtail %q: exit %d and nothing on stderr", tc.args, code)
		}
		for _, l := range strings.Split(strings.TrimSuffix(errb.String(), "\n"), "\n") {
			if !strings.HasPrefix(l, "pgtail: ") && !strings.HasPrefix(l, "Usage: pgtail") && !contract[l] {
				t.Errorf("pgtail %q: stderr line %q does not start with 'pgtail: '", tc.args, l)
			}
		}
	}
}
