package parse

import (
	"bytes"
	"strings"
)

// Failure classification: what pgtail knows about the FATAL messages that
// refuse a connection, and about the DETAIL reasons of an authentication
// failure. It is the one place where a failure's text is understood: an
// Event leaves parse with its Reason, Category and Cause set, and no other
// package reads message text.
//
// Every row is keyed by PostgreSQL's English msgid ("%s" stands for a
// value), as in the server's message catalogs; the match pattern is
// derived from it (see pattern). Translated messages are rewritten to
// this English text first, from PostgreSQL's own catalogs (localize.go).

// TooManyConnections is the category of "sorry, too many clients
// already": every connection slot was taken.
const TooManyConnections = "too_many_connections"

// A refusal is one FATAL message that refuses a connection.
type refusal struct {
	msgid     string // PostgreSQL's English message
	reason    string // short reason; "" keeps the whole message
	category  string // stable snake_case name, for machine-readable output
	afterAuth bool   // logged after "connection authorized"
	names     string // what the quoted values are, in order: u=user, d=db, h=host
	// whole: the message must also end as msgid does. Rows that share
	// their head (the text before the first value) need it; without it a
	// row matches every message that starts with its head.
	whole bool
}

var refusals = []refusal{
	{msgid: "sorry, too many clients already", reason: "too many connections", category: TooManyConnections},
	{msgid: `too many connections for role "%s"`, category: "too_many_connections_for_role", afterAuth: true, names: "u"},
	{msgid: `too many connections for database "%s"`, category: "too_many_connections_for_database", afterAuth: true, names: "d"},
	{msgid: "remaining connection slots are reserved for non-replication superuser connections", // 12–15
		reason: "reserved connection slots", category: "reserved_slots", afterAuth: true},
	{msgid: "remaining connection slots are reserved for roles with the %s attribute", // 16+
		reason: "reserved connection slots", category: "reserved_slots", afterAuth: true},
	{msgid: `remaining connection slots are reserved for roles with privileges of the "%s" role`, // 16+
		reason: "reserved connection slots", category: "reserved_slots", afterAuth: true},
	{msgid: `password authentication failed for user "%s"`, reason: reasonPassword, category: "authentication_failed", names: "u"},
	{msgid: `no pg_hba.conf entry for replication connection from host "%s", user "%s", %s`,
		reason: "no pg_hba.conf entry", category: "no_pg_hba_entry", names: "hu"},
	{msgid: `no pg_hba.conf entry for host "%s", user "%s", database "%s", %s`,
		reason: "no pg_hba.conf entry", category: "no_pg_hba_entry", names: "hud"},
	{msgid: `pg_hba.conf rejects replication connection for host "%s", user "%s", %s`,
		reason: "pg_hba.conf rejects connection", category: "pg_hba_reject", names: "hu"},
	{msgid: `pg_hba.conf rejects connection for host "%s", user "%s", database "%s", %s`,
		reason: "pg_hba.conf rejects connection", category: "pg_hba_reject", names: "hud"},
	{msgid: `database "%s" does not exist`, category: "database_does_not_exist", afterAuth: true, names: "d", whole: true},
	{msgid: `database "%s" is not currently accepting connections`, category: "database_not_accepting_connections",
		afterAuth: true, names: "d", whole: true},
	{msgid: `role "%s" does not exist`, category: "role_does_not_exist", afterAuth: true, names: "u", whole: true},
	{msgid: `role "%s" is not permitted to log in`, category: "role_cannot_log_in", afterAuth: true, names: "u", whole: true},
	{msgid: `permission denied for database "%s"`, category: "database_permission_denied", afterAuth: true, names: "d"},
	{msgid: `cannot connect to invalid database "%s"`, category: "other", afterAuth: true, names: "d"},
	{msgid: "must be superuser or replication role to start walsender", category: "other", afterAuth: true}, // 12–15
	{msgid: "permission denied to start WAL sender", category: "other", afterAuth: true},                    // 16+
	{msgid: "must be superuser to connect in binary upgrade mode", category: "other", afterAuth: true},
	{msgid: "must be superuser to connect during database shutdown", category: "other"},
	{msgid: "new replication connections are not allowed during database shutdown", category: "other"},
	{msgid: "the database system is starting up", reason: "database system is starting up", category: "server_starting_up"},
	{msgid: "the database system is shutting down", reason: "database system is shutting down", category: "server_shutting_down"},
	{msgid: "the database system is in recovery mode", reason: "database system is in recovery mode", category: "server_in_recovery"},
	{msgid: "the database system is not yet accepting connections", reason: "database system is not yet accepting connections",
		category: "server_in_recovery"},
	{msgid: "the database system is not accepting connections", reason: "database system is not accepting connections",
		category: "server_not_accepting_connections"},
	{msgid: "connection requires a valid client certificate", category: "other"},
	{msgid: "canceling authentication due to timeout", reason: "authentication timeout", category: "authentication_timeout"},
	{msgid: `authentication failed for user "%s": host rejected`, reason: "authentication failed", category: "authentication_failed", names: "u"},
	{msgid: `authentication failed for user "%s": invalid authentication method`, reason: "authentication failed",
		category: "authentication_failed", names: "u"},
	{msgid: "no PostgreSQL user name specified in startup packet", reason: "no user name in startup packet", category: "other"},
	{msgid: "unsupported frontend protocol %u.%u: server supports %u.0 to %u.%u", reason: "unsupported frontend protocol", category: "other"},
}

// reasonPassword is the reason of a password authentication failure: its
// DETAIL may name only the matched pg_hba line (see causes).
const reasonPassword = "password authentication failed"

// "<Method> authentication failed for user "x"" (Ident, Peer, LDAP,
// "trust", "OAuth bearer" (18+), …) is one msgid per method; they are
// read by their common part, and the method names the reason.
var (
	authFailed         = []byte(" authentication failed for user \"")
	authFailedCategory = "authentication_failed"
)

// pattern splits a msgid (or msgstr) at its values: head is the text
// before the first one, tail the text after the last one (both the whole
// text when it has none).
func pattern(msgid string) (head, tail string) {
	first, last := -1, -1
	for i := 0; i+1 < len(msgid); i++ {
		if msgid[i] == '%' && msgid[i+1] >= 'a' && msgid[i+1] <= 'z' {
			if first < 0 {
				first = i
			}
			last = i + 2
		}
	}
	if first < 0 {
		return msgid, msgid
	}
	return msgid[:first], msgid[last:]
}

// A compiled refusal is matched without rereading its msgid.
type refusalPattern struct {
	head, tail []byte
	*refusal
}

var refusalPatterns = func() []refusalPattern {
	out := make([]refusalPattern, len(refusals))
	for i := range refusals {
		h, t := pattern(refusals[i].msgid)
		out[i] = refusalPattern{[]byte(h), []byte(t), &refusals[i]}
	}
	return out
}()

// matchRefusal returns the refusal msg is, or nil. The first row whose
// head msg starts with decides: when it must match whole and does not,
// only the next rows with the same head may still match, and claimed
// reports that none did.
func matchRefusal(msg []byte) (r *refusal, claimed bool) {
	var head []byte
	for _, p := range refusalPatterns {
		if claimed && !bytes.Equal(p.head, head) {
			break
		}
		if !bytes.HasPrefix(msg, p.head) {
			continue
		}
		if !p.whole || len(msg) >= len(p.head)+len(p.tail) && bytes.HasSuffix(msg, p.tail) {
			return p.refusal, false
		}
		head, claimed = p.head, true
	}
	return nil, claimed
}

// classifyFatal fills ev from a FATAL message and reports whether it
// refused a connection.
func classifyFatal(msg []byte, ev *Event, nt *interner) bool {
	r, claimed := matchRefusal(msg)
	if r != nil {
		failure(ev, msg, r, nt)
		return true
	}
	if claimed {
		return false
	}
	if k := bytes.Index(msg, authFailed); k > 0 && k < 40 {
		method := bytes.Trim(msg[:k], "\"")
		failure(ev, msg[k+1:], &refusal{reason: string(method) + " authentication failed", category: authFailedCategory, names: "u"}, nt)
		return true
	}
	return false
}

func failure(ev *Event, msg []byte, r *refusal, nt *interner) {
	ev.Kind = Failure
	ev.AfterAuth = r.afterAuth
	ev.Reason = r.reason
	if ev.Reason == "" {
		ev.Reason = nt.str(msg)
	}
	ev.Category = r.category
	// Quoted names in the text: the requested user, database, host. A
	// message with one name, which it ends with, gives it whole: a name
	// may hold a quote.
	if head, tail := pattern(r.msgid); len(r.names) == 1 && r.msgid != "" && len(msg) >= len(head)+len(tail) &&
		bytes.HasPrefix(msg, []byte(head)) && bytes.HasSuffix(msg, []byte(tail)) {
		setName(ev, r.names[0], nt.str(msg[len(head):len(msg)-len(tail)]))
		return
	}
	rest := msg
	for _, n := range []byte(r.names) {
		q := bytes.IndexByte(rest, '"')
		if q < 0 {
			return
		}
		rest = rest[q+1:]
		e := bytes.IndexByte(rest, '"')
		if e < 0 {
			return
		}
		setName(ev, n, nt.str(rest[:e]))
		rest = rest[e+1:]
	}
}

// setName sets the name a failure's message gives: u=user, d=db, h=host.
func setName(ev *Event, n byte, v string) {
	switch n {
	case 'u':
		ev.User = v
	case 'd':
		ev.DB = v
	case 'h':
		ev.Host = v
	}
}

// FailureCategory returns the category of a failure reason as
// Event.Reason holds it: for state recorded before events carried their
// Category.
func FailureCategory(reason string) string {
	for _, r := range refusals {
		if r.reason != "" && r.reason == reason {
			return r.category
		}
	}
	if r, _ := matchRefusal([]byte(reason)); r != nil && r.reason == "" {
		return r.category
	}
	if strings.HasSuffix(reason, " authentication failed") {
		return authFailedCategory
	}
	return "other"
}

// A detailCause is one DETAIL reason of an authentication failure. The
// DETAIL's first line holds the reason, or only the pg_hba line that
// matched when there is none to tell.
type detailCause struct {
	msgid string // PostgreSQL's English DETAIL
	cause string
	// only, when set, is the one reason this DETAIL has a cause for:
	// with scram-sha-256 the server logs no "Password does not match"
	// line for a wrong password, only the matched pg_hba line, but it
	// does log every other reason.
	only string
}

var causes = []detailCause{
	{msgid: `Connection matched pg_hba.conf line %d: "%s"`, cause: "wrong password", only: reasonPassword}, // 12–15
	{msgid: `Connection matched file "%s" line %d: "%s"`, cause: "wrong password", only: reasonPassword},   // 16+
	{msgid: `Password does not match for user "%s".`, cause: "wrong password"},
	{msgid: `Role "%s" does not exist.`, cause: "unknown role"},
	{msgid: `User "%s" has no password assigned.`, cause: "no password assigned"},
	{msgid: `User "%s" has an expired password.`, cause: "expired password"},
	{msgid: `User "%s" has a password that cannot be used with MD5 authentication.`, cause: "password unusable with md5"},
	{msgid: `User "%s" does not have a valid SCRAM secret.`, cause: "no valid SCRAM secret"},
	{msgid: `User "%s" does not have a valid SCRAM verifier.`, cause: "no valid SCRAM secret"}, // 12
	{msgid: `Password of user "%s" is in unrecognized format.`, cause: "password in unrecognized format"},
}

// causeOther is the cause of a DETAIL that is none of the known reasons.
const causeOther = "other"

// detailCauseOf returns the cause an authentication failure's DETAIL line
// names; "" when there is no DETAIL.
func detailCauseOf(reason, detail string) string {
	if detail == "" {
		return ""
	}
	for _, c := range causes {
		head, tail := pattern(c.msgid)
		if len(detail) < len(head)+len(tail) || !strings.HasPrefix(detail, head) || !strings.HasSuffix(detail, tail) {
			continue
		}
		if c.only != "" && c.only != reason {
			return ""
		}
		return c.cause
	}
	return causeOther
}

// setDetail attaches the first line of a failure's DETAIL, and the cause
// it names. Every format and read path attaches a DETAIL through it.
func (ev *Event) setDetail(detail string) {
	ev.Detail = detail
	ev.Cause = detailCauseOf(ev.Reason, detail)
}
