package main

import "golang.org/x/sys/unix"

// pipeBuffer is the capacity asked for a pipe on stdin: 1 MiB, Linux's
// default limit for an unprivileged process (/proc/sys/fs/pipe-max-size).
const pipeBuffer = 1 << 20

// growPipe asks for a larger pipe buffer, so that the writer (cat, zcat)
// runs ahead by a megabyte instead of 64 KiB: on two cores the scan
// workers otherwise take the processor from it and wait for its next
// 64 KiB. Best effort: a limit lower than pipeBuffer leaves the pipe as
// it is.
func growPipe(fd int) { unix.FcntlInt(uintptr(fd), unix.F_SETPIPE_SZ, pipeBuffer) }
