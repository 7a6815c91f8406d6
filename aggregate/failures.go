package aggregate

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// A FailKey says what failed, for whom and from where. Reason is the
// failure's short reason as the summary shows it; Cause refines an
// authentication failure from its DETAIL line ("wrong password",
// "unknown role", …; empty when the log has no DETAIL).
type FailKey struct {
	Reason, Cause string
	User, DB, App string
	Host          string
	Lost          bool // a session ended by a server reset, not a refusal
}

// A FailStat counts one FailKey.
type FailStat struct {
	Count       int
	First, Last time.Time // zero without time stamps
}

// maxFailKeys bounds the failure table: past it, new combinations are
// counted under user, database, application and host "(other)", so a
// password-guessing storm from many addresses cannot grow memory.
const maxFailKeys = 1 << 12

// maxFoldedReasons bounds the folded rows that keep their reason.
const maxFoldedReasons = 1 << 6

// Other names the folded rows of a full failure table.
const Other = "(other)"

func (s *State) recordFailure(k FailKey, t time.Time) {
	st, ok := s.failTable[k]
	if !ok && len(s.failTable) >= maxFailKeys {
		k.User, k.DB, k.App, k.Host = Other, Other, Other, Other
		st, ok = s.failTable[k]
		// Reasons and causes name databases and roles too: a few folded
		// rows keep theirs, then they are Other as well.
		if !ok && len(s.failTable) >= maxFailKeys+maxFoldedReasons {
			k.Reason, k.Cause = Other, ""
			st = s.failTable[k]
		}
	}
	st.Count++
	if !t.IsZero() {
		if st.First.IsZero() || t.Before(st.First) {
			st.First = t
		}
		if t.After(st.Last) {
			st.Last = t
		}
	}
	s.failTable[k] = st
}

// Cause reads an authentication failure's DETAIL line. A password
// failure whose DETAIL has no reason line, only the matched pg_hba line,
// is a wrong password: with scram-sha-256 the server logs no "Password
// does not match" line, but it does log every other reason (unknown
// role, no or expired password, unusable secret).
func Cause(reason, detail string) string {
	switch {
	case detail == "":
		return ""
	case strings.HasPrefix(detail, "Connection matched "):
		if reason == "password authentication failed" {
			return "wrong password"
		}
		return ""
	case strings.HasPrefix(detail, "Password does not match for user "):
		return "wrong password"
	case strings.HasPrefix(detail, "Role \"") && strings.HasSuffix(detail, "\" does not exist."):
		return "unknown role"
	case strings.HasSuffix(detail, "\" has no password assigned."):
		return "no password assigned"
	case strings.HasSuffix(detail, "\" has an expired password."):
		return "expired password"
	case strings.HasSuffix(detail, "\" has a password that cannot be used with MD5 authentication."):
		return "password unusable with md5"
	case strings.HasSuffix(detail, "\" does not have a valid SCRAM secret.") ||
		strings.HasSuffix(detail, "\" does not have a valid SCRAM verifier."):
		return "no valid SCRAM secret"
	case strings.Contains(detail, "\" is in unrecognized format."):
		return "password in unrecognized format"
	}
	return "other"
}

// Category is a stable snake_case name for a failure reason, for
// machine-readable output.
func Category(reason string, lost bool) string {
	if lost {
		return "lost_in_" + strings.TrimPrefix(reason, "server ")
	}
	for _, c := range categories {
		if strings.HasPrefix(reason, c.prefix) && strings.HasSuffix(reason, c.suffix) {
			return c.name
		}
	}
	if strings.HasSuffix(reason, " authentication failed") {
		return "authentication_failed"
	}
	return "other"
}

var categories = []struct{ prefix, suffix, name string }{
	{"too many connections for role ", "", "too_many_connections_for_role"},
	{"too many connections for database ", "", "too_many_connections_for_database"},
	{"too many connections", "", "too_many_connections"},
	{"reserved connection slots", "", "reserved_slots"},
	{"password authentication failed", "", "authentication_failed"},
	{"authentication failed", "", "authentication_failed"},
	{"no pg_hba.conf entry", "", "no_pg_hba_entry"},
	{"pg_hba.conf rejects connection", "", "pg_hba_reject"},
	{"database \"", "\" does not exist", "database_does_not_exist"},
	{"database \"", "\" is not currently accepting connections", "database_not_accepting_connections"},
	{"role \"", "\" does not exist", "role_does_not_exist"},
	{"role \"", "\" is not permitted to log in", "role_cannot_log_in"},
	{"permission denied for database ", "", "database_permission_denied"},
	{"database system is starting up", "", "server_starting_up"},
	{"database system is shutting down", "", "server_shutting_down"},
	{"database system is in recovery mode", "", "server_in_recovery"},
	{"database system is not yet accepting connections", "", "server_in_recovery"},
	{"database system is not accepting connections", "", "server_not_accepting_connections"},
	{"authentication timeout", "", "authentication_timeout"},
}

// A FailRow is one line of the failure table.
type FailRow struct {
	FailKey
	FailStat
	Category string
}

// FailureTable returns the failures (and, with Lost set, the sessions
// ended by a server reset) that pass f: most frequent first.
func (s *State) FailureTable(f Filter) []FailRow {
	var out []FailRow
	for k, st := range s.failTable {
		if !f.Match(Names{k.DB, k.User, k.App}) {
			continue
		}
		out = append(out, FailRow{k, st, Category(k.Reason, k.Lost)})
	}
	slices.SortFunc(out, func(a, b FailRow) int {
		return cmp.Or(
			cmp.Compare(b.Count, a.Count),
			cmp.Compare(a.Reason, b.Reason),
			cmp.Compare(a.Cause, b.Cause),
			cmp.Compare(a.User, b.User),
			cmp.Compare(a.DB, b.DB),
			cmp.Compare(a.App, b.App),
			cmp.Compare(a.Host, b.Host),
			func() int {
				if a.Lost == b.Lost {
					return 0
				}
				if a.Lost {
					return 1
				}
				return -1
			}(),
		)
	})
	return out
}

// Saturation counts the refusals that mean every connection slot was
// taken ("sorry, too many clients already").
type Saturation struct {
	Count       int
	First, Last time.Time
}

// Saturation returns when the server ran out of connection slots.
func (s *State) Saturation() Saturation {
	var sat Saturation
	for k, st := range s.failTable {
		if k.Lost || k.Reason != "too many connections" {
			continue
		}
		sat.Count += st.Count
		if !st.First.IsZero() && (sat.First.IsZero() || st.First.Before(sat.First)) {
			sat.First = st.First
		}
		if st.Last.After(sat.Last) {
			sat.Last = st.Last
		}
	}
	return sat
}

// Peak returns the most sessions open at one moment, server-wide (see
// peak.go for exactly what is counted).
func (s *State) Peak() Peak { return s.peak.peak() }
