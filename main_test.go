package main

import (
	"bytes"
	"compress/gzip"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite testscript files and goldens with the actual output")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"pgtail": main})
}

func TestScripts(t *testing.T) {
	logs, err := filepath.Abs("testdata/logs")
	if err != nil {
		t.Fatal(err)
	}
	envelopes, err := filepath.Abs("testdata/envelopes")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *update,
		Setup: func(e *testscript.Env) error {
			e.Setenv("LOGS", logs)
			e.Setenv("ENVELOPES", envelopes)
			e.Setenv("NO_COLOR", "")
			e.Setenv("PGTAIL_STATE", filepath.Join(e.WorkDir, "state", "connections.json"))
			return nil
		},
		Condition: func(cond string) (bool, error) {
			if cond == "root" { // mknod and chown to another user need root
				return os.Geteuid() == 0, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode": cmdExitcode,
			"gzip":     cmdGzip,
			"mtime":    cmdMtime,
			"genfile":  cmdGenfile, // hostile_test.go
		},
	})
}

// exitcode N prog args… runs prog and checks its exit code is exactly N
// (a bare ! only proves "non-zero").
func cmdExitcode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode N prog [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: %v", err)
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		got = ee.ExitCode()
	} else if err != nil {
		ts.Fatalf("exitcode: %v", err)
	}
	if got != want {
		ts.Fatalf("exit code %d, want %d", got, want)
	}
}

// gzip FILE writes FILE.gz.
func cmdGzip(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: gzip FILE")
	}
	data, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, err = zw.Write(data)
	ts.Check(err)
	ts.Check(zw.Close())
	ts.Check(os.WriteFile(ts.MkAbs(args[0]+".gz"), b.Bytes(), 0o644))
}

// mtime FILE RFC3339-TIME sets the modification time of FILE.
func cmdMtime(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: mtime FILE TIME")
	}
	tm, err := time.Parse(time.RFC3339, args[1])
	ts.Check(err)
	ts.Check(os.Chtimes(ts.MkAbs(args[0]), tm, tm))
}

func TestUseColor(t *testing.T) {
	for _, tc := range []struct {
		mode         colorMode
		tty, noColor bool
		want         bool
	}{
		{"auto", true, false, true},
		{"auto", false, false, false},
		{"auto", true, true, false},
		{"always", false, true, true},
		{"never", true, false, false},
	} {
		if got := useColor(tc.mode, tc.tty, tc.noColor); got != tc.want {
			t.Errorf("useColor(%q, tty=%v, NO_COLOR=%v) = %v, want %v", tc.mode, tc.tty, tc.noColor, got, tc.want)
		}
	}
}
