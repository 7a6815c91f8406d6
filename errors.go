package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/pgtail/pgtail/format"
)

// Exit codes. An error ends the run with the code it carries (see exit).
const (
	exitOK    = 0 // also after Ctrl+C and when `| head` closes the pipe
	exitUsage = 1 // invalid argument or combination
	exitInput = 2 // a FILE cannot be opened or read
)

// An exitError ends the run with its exit code, the way gojq's cli does.
// Its message is the whole line shown on stderr ("" shows nothing: what
// went wrong was said when it happened), then the usage text, if any.
type exitError struct {
	code  int
	msg   string
	usage string
}

func (e *exitError) Error() string { return e.msg }

// ExitCode is the process's exit code.
func (e *exitError) ExitCode() int { return e.code }

// usageErrorf is an invalid argument or combination: exit 1.
func usageErrorf(format string, a ...any) *exitError {
	return &exitError{code: exitUsage, msg: fmt.Sprintf(format, a...)}
}

// exit shows err on stderr and returns its exit code. An error without
// its own message line is shown as "pgtail: ERR"; one without a code is
// an input or output failure.
func exit(stderr io.Writer, err error) int {
	if err == nil {
		return exitOK
	}
	var e *exitError
	if errors.As(err, &e) {
		if e.msg != "" {
			fmt.Fprintln(stderr, e.msg)
		}
		io.WriteString(stderr, e.usage)
		return e.code
	}
	fmt.Fprintf(stderr, "pgtail: %v\n", err)
	var c interface{ ExitCode() int }
	if errors.As(err, &c) {
		return c.ExitCode()
	}
	return exitInput
}

// inputsFailed adds the failure of some inputs, each reported as it
// failed, to err: the run ends with exit 2 at least.
func inputsFailed(err error) error {
	var e *exitError
	switch {
	case err == nil:
		return &exitError{code: exitInput}
	case errors.As(err, &e):
		return &exitError{code: max(e.code, exitInput), msg: e.msg, usage: e.usage}
	}
	return err // an output failure: exit 2 already
}

// inputError is an input that cannot be opened or read: exit 2.
type inputError struct {
	name string
	err  error
}

func (e inputError) Error() string {
	var pe *os.PathError
	if errors.As(e.err, &pe) {
		return fmt.Sprintf("%s: %v", format.Clean(e.name), pe.Err)
	}
	return fmt.Sprintf("%s: %v", format.Clean(e.name), e.err)
}

func (e inputError) Unwrap() error { return e.err }

// ExitCode is the process's exit code.
func (inputError) ExitCode() int { return exitInput }

// errOutput wraps a failed write to stdout: exit 2.
type errOutput struct{ err error }

func (e errOutput) Error() string { return "write error: " + e.err.Error() }

func (e errOutput) Unwrap() error { return e.err }

// ExitCode is the process's exit code.
func (errOutput) ExitCode() int { return exitInput }
