// Command pgtail reads PostgreSQL server logs in one streaming pass.
// Its command `pgtail connections` reports open sessions, who holds them,
// leaks and failed connection attempts.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signal.Ignore(syscall.SIGPIPE) // a closed pipe becomes EPIPE, not death by signal
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}
