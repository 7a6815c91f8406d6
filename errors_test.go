package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"testing"
)

// The exit code travels with the error, through wrapping; exit shows the
// message once.
func TestExit(t *testing.T) {
	_, openErr := os.Open("/nonexistent/a.log")
	usage := usageErrorf("pgtail: --bucket must not be longer than --window")
	usage.usage = "Usage: pgtail connections\n"
	for _, tc := range []struct {
		err    error
		code   int
		stderr string
	}{
		{nil, exitOK, ""},
		{usage, exitUsage, "pgtail: --bucket must not be longer than --window\nUsage: pgtail connections\n"},
		{usageErrorf("Cannot use --history and --watch together."), exitUsage, "Cannot use --history and --watch together.\n"},
		{fmt.Errorf("reading: %w", inputError{"/nonexistent/a.log", openErr}), exitInput, "pgtail: reading: /nonexistent/a.log: no such file or directory\n"},
		{errOutput{syscall.ENOSPC}, exitInput, "pgtail: write error: no space left on device\n"},
		{inputsFailed(nil), exitInput, ""},
		{inputsFailed(usageErrorf("pgtail: --history needs time stamps")), exitInput, "pgtail: --history needs time stamps\n"},
		{inputsFailed(errOutput{syscall.ENOSPC}), exitInput, "pgtail: write error: no space left on device\n"},
	} {
		var b strings.Builder
		if code := exit(&b, tc.err); code != tc.code || b.String() != tc.stderr {
			t.Errorf("exit(%v) = %d, stderr %q; want %d, %q", tc.err, code, b.String(), tc.code, tc.stderr)
		}
	}
}

func TestUnwrap(t *testing.T) {
	if err := (errOutput{fmt.Errorf("write: %w", syscall.EPIPE)}); !errors.Is(err, syscall.EPIPE) {
		t.Error("errOutput hides EPIPE")
	}
	_, openErr := os.Open("/nonexistent/a.log")
	if err := (inputError{"a.log", openErr}); !errors.Is(err, fs.ErrNotExist) {
		t.Error("inputError hides ErrNotExist")
	}
}
