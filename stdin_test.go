package main

import (
	"io"
	"os"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// A pipe on stdin is read non-blocking through the poller, and set back
// to blocking mode at the end for whoever reads it next.
func TestPollableStdin(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	// The pipe as the process's stdin sees it: a blocking descriptor.
	fd, err := syscall.Dup(int(r.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	saved := os.Stdin
	os.Stdin = os.NewFile(uintptr(fd), "stdin")
	defer func() { os.Stdin = saved }()

	nonblock := func() bool {
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
		if err != nil {
			t.Fatal(err)
		}
		return flags&unix.O_NONBLOCK != 0
	}
	if nonblock() {
		t.Fatal("the test pipe starts non-blocking")
	}
	in, restore := pollableStdin()
	if !nonblock() {
		t.Error("a pipe on stdin is not read non-blocking")
	}
	go func() { w.Write([]byte("a line\n")); w.Close() }()
	if got, err := io.ReadAll(in); err != nil || string(got) != "a line\n" {
		t.Errorf("read %q, %v", got, err)
	}
	restore()
	if nonblock() {
		t.Error("the pipe is left non-blocking")
	}
	// Both Files stand for one descriptor: neither may close it behind
	// the other's back (a finalizer would), so both stay referenced.
	keep = append(keep, os.Stdin, in)
}

var keep []*os.File
