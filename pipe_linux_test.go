package main

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// A pipe on stdin gets a 1 MiB buffer, so the writer can run ahead.
func TestGrowPipe(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	before, err := unix.FcntlInt(r.Fd(), unix.F_GETPIPE_SZ, 0)
	if err != nil {
		t.Fatal(err)
	}
	growPipe(int(r.Fd()))
	after, _ := unix.FcntlInt(r.Fd(), unix.F_GETPIPE_SZ, 0)
	limit := pipeBuffer
	if b, err := os.ReadFile("/proc/sys/fs/pipe-max-size"); err == nil {
		limit, _ = strconv.Atoi(strings.TrimSpace(string(b)))
	}
	if limit >= pipeBuffer && after != pipeBuffer {
		t.Errorf("pipe buffer %d, then %d; want %d", before, after, pipeBuffer)
	}
}
