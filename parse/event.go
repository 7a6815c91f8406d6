// Package parse turns PostgreSQL server log bytes into connection events.
//
// A Reader streams log entries one line at a time, recognises the log line
// prefix, and returns only the entries that matter for connection tracking:
// connection received, connection authorized, disconnection, the FATALs that
// refuse a connection, and the server lifecycle lines that end every session.
package parse

import (
	"fmt"
	"time"
)

// Kind tells what an Event means for session tracking.
type Kind uint8

const (
	// Received is "connection received": a client reached the server.
	// It carries the host and port for the session that may follow.
	Received Kind = iota + 1
	// Connect is "connection authorized": a session started.
	Connect
	// Disconnect is "disconnection: session time: …": a session ended.
	Disconnect
	// Failure is a FATAL that refused a connection attempt.
	Failure
	// Reset is a server restart, shutdown or crash: every session ended.
	Reset
	// Ready is PostgreSQL 18's "connection ready: setup total=…" (with
	// log_connections=setup_durations): the session of PID is usable.
	// It carries SetupTime and changes no count.
	Ready
)

var kindNames = [...]string{Received: "received", Connect: "connect", Disconnect: "disconnect", Failure: "failure", Reset: "reset", Ready: "ready"}

func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// An Event is one connection fact read from the log.
type Event struct {
	Kind Kind
	Time time.Time // zero when the log has no time stamp
	PID  int       // backend process ID; 0 when the log has none
	// Origin is the server the line came from when its envelope says
	// (a pod, a container, a host, a cloud instance): in a stream from
	// several servers, the same PID on two of them is two backends.
	Origin string
	Line   int // 1-based line where the entry starts

	User, DB, App, Host, Port string

	// Duration is the session time of a Disconnect.
	Duration time.Duration
	// Reason is a Failure's short reason ("too many connections") or a
	// Reset's cause ("shutdown", "crash", "restart").
	Reason string
	// Category is a Failure's stable snake_case name
	// ("too_many_connections", "authentication_failed", …; "other"), for
	// machine-readable output.
	Category string
	// AfterAuth marks a Failure that refuses a session whose "connection
	// authorized" line was already logged (database does not exist, too
	// many connections for role, …): that session never really opened.
	AfterAuth bool
	// Replication marks a walsender ("replication connection authorized").
	Replication bool
	// SetupTime is a Ready's "setup total": from the fork of the backend
	// to its first ReadyForQuery (PostgreSQL 18+).
	SetupTime time.Duration
	// Detail is the first line of an authentication failure's DETAIL
	// ("Password does not match for user \"bob\".", "Role \"x\" does not
	// exist."), when the log has one. Only authentication failures look
	// for it: their DETAIL is written with the FATAL, in the same write.
	Detail string
	// Cause is what an authentication failure's Detail says went wrong
	// ("wrong password", "unknown role", …; "other"); empty without a
	// Detail.
	Cause string
}
