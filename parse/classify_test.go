package parse

import (
	"strings"
	"testing"
)

func TestDetailCause(t *testing.T) {
	const pw = reasonPassword
	for _, tc := range []struct{ reason, detail, want string }{
		{pw, `Password does not match for user "bob".`, "wrong password"},
		// scram-sha-256 logs no reason line for a wrong password (observed on 15)
		{pw, `Connection matched pg_hba.conf line 3: "local all all scram-sha-256"`, "wrong password"},
		{pw, `Connection matched file "/etc/postgresql/16/main/pg_hba.conf" line 3: "local all all scram-sha-256"`, "wrong password"},
		{pw, `Role "ghost" does not exist.`, "unknown role"},
		{pw, `User "u" has no password assigned.`, "no password assigned"},
		{pw, `User "u" has an expired password.`, "expired password"},
		{pw, `User "u" has a password that cannot be used with MD5 authentication.`, "password unusable with md5"},
		{pw, `User "u" does not have a valid SCRAM secret.`, "no valid SCRAM secret"},
		{pw, `User "u" does not have a valid SCRAM verifier.`, "no valid SCRAM secret"},
		{pw, `Password of user "u" is in unrecognized format.`, "password in unrecognized format"},
		{pw, `Role "a`, "other"}, // a name with a newline: the first line only
		{pw, "", ""},
		{"Ident authentication failed", `Connection matched pg_hba.conf line 3: "host all all ident"`, ""},
	} {
		if got := detailCauseOf(tc.reason, tc.detail); got != tc.want {
			t.Errorf("detailCauseOf(%q, %q) = %q, want %q", tc.reason, tc.detail, got, tc.want)
		}
	}
}

// FailureCategory gives a recorded reason the category the event had.
func TestFailureCategory(t *testing.T) {
	for reason, want := range map[string]string{
		"too many connections":                                TooManyConnections,
		`too many connections for role "batch"`:               "too_many_connections_for_role",
		`too many connections for database "x"`:               "too_many_connections_for_database",
		"reserved connection slots":                           "reserved_slots",
		"password authentication failed":                      "authentication_failed",
		"Ident authentication failed":                         "authentication_failed",
		"no pg_hba.conf entry":                                "no_pg_hba_entry",
		"pg_hba.conf rejects connection":                      "pg_hba_reject",
		`database "nosuchdb" does not exist`:                  "database_does_not_exist",
		`database "t" is not currently accepting connections`: "database_not_accepting_connections",
		`role "r" does not exist`:                             "role_does_not_exist",
		`role "nologin_role" is not permitted to log in`:      "role_cannot_log_in",
		`permission denied for database "d"`:                  "database_permission_denied",
		"database system is starting up":                      "server_starting_up",
		"database system is shutting down":                    "server_shutting_down",
		"database system is in recovery mode":                 "server_in_recovery",
		"database system is not accepting connections":        "server_not_accepting_connections",
		"authentication timeout":                              "authentication_timeout",
		"connection requires a valid client certificate":      "other",
		"something else":                                      "other",
	} {
		if got := FailureCategory(reason); got != want {
			t.Errorf("FailureCategory(%q) = %q, want %q", reason, got, want)
		}
	}
}

// Every refusal reads its own msgid, with the names it promises.
func TestRefusalsReadTheirMsgid(t *testing.T) {
	for _, r := range refusals {
		var ev Event
		if !classifyFatal([]byte(r.msgid), &ev, nil) {
			t.Errorf("%q: not a failure", r.msgid)
			continue
		}
		if ev.Category != r.category || ev.Category == "" || ev.AfterAuth != r.afterAuth {
			t.Errorf("%q: category %q after auth %v, want %q %v", r.msgid, ev.Category, ev.AfterAuth, r.category, r.afterAuth)
		}
	}
}

func TestPattern(t *testing.T) {
	for _, tc := range []struct{ id, head, tail string }{
		{"sorry, too many clients already", "sorry, too many clients already", "sorry, too many clients already"},
		{`database "%s" does not exist`, `database "`, `" does not exist`},
		{"unsupported frontend protocol %u.%u: server supports %u.0 to %u.%u", "unsupported frontend protocol ", ""},
		{`Connection matched file "%s" line %d: "%s"`, `Connection matched file "`, `"`},
	} {
		if h, tl := pattern(tc.id); h != tc.head || tl != tc.tail {
			t.Errorf("pattern(%q) = %q, %q; want %q, %q", tc.id, h, tl, tc.head, tc.tail)
		}
	}
}

// hasStart compares a start's first bytes as a number before its text:
// it says what strings.HasPrefix says, for starts and messages shorter
// than four bytes too.
func TestHasStart(t *testing.T) {
	texts := []string{"ab", "abc", "abcd", "abcdef", "st", "starting PostgreSQL ", "é\x00", "\xff\xfe\xfd\xfc\xfb"}
	var starts []start
	for _, s := range texts {
		starts = addStart(starts, s)
	}
	if len(addStart(starts, "abc")) != len(starts) {
		t.Error("addStart added a start twice")
	}
	for _, msg := range []string{"", "a", "ab", "abx", "abc", "abce", "abcd", "abcdefg", "s", "st", "statement: x", "starting PostgreSQL 15", "é", "é\x00x", "\xff\xfe\xfd\xfc", "\xff\xfe\xfd\xfc\xfb!"} {
		want := false
		for _, s := range texts {
			want = want || strings.HasPrefix(msg, s)
		}
		if got := hasStart([]byte(msg), headOf(msg), starts); got != want {
			t.Errorf("hasStart(%q) = %v, want %v", msg, got, want)
		}
	}
}

// logEventStart's table of first bytes never turns away a message that
// starts like an event, in English or any language of the catalogs, and
// says what a look at every start says of other messages.
func TestLogEventStart(t *testing.T) {
	var texts []string
	for c := range 256 {
		for _, s := range append(append([]start(nil), logStarts[c]...), local.starts[c]...) {
			texts = append(texts, s.text)
		}
	}
	if len(texts) < 50 {
		t.Fatalf("only %d starts: are the catalogs read?", len(texts))
	}
	naive := func(msg string) bool {
		for _, s := range texts {
			if len(msg) >= 2 && strings.HasPrefix(msg, s) {
				return true
			}
		}
		return false
	}
	msgs := []string{"statement: select 1", "starting", "checkpoint starting: time", "duration: 0.5 ms", "conn", "", "x"}
	for _, s := range texts {
		msgs = append(msgs, s, s+"x", s[:len(s)-1])
		if len(s) > 5 {
			msgs = append(msgs, s[:4]+"!"+s[5:])
		}
	}
	for _, msg := range msgs {
		if got, want := logEventStart([]byte(msg)), naive(msg); got != want {
			t.Errorf("logEventStart(%q) = %v, want %v", msg, got, want)
		}
	}
}

// TestLineSeverity: the severity is the whole word before the first
// ":  ", upper-case letters and digits; a word that only ends like one
// is none.
func TestLineSeverity(t *testing.T) {
	for _, tc := range []struct {
		line string
		sev  severity
		word int
	}{
		{"LOG:  x", sevLog, 0},
		{"p LOG:  x", sevLog, 2},
		{"p]LOG:  x", sevLog, 2},
		{"p aLOG:  x", sevLog, 3},
		{"p BLOG:  x", sevNone, 2},
		{"p 1LOG:  x", sevNone, 2},
		{"p DEBUG1:  x", sevOther, 2},
		{"p FATAL:  x", sevFatal, 2},
		{"p LOG: x LOG:  y", sevLog, 9}, // the first ":  " is after the second LOG
		{"p LOGS:  x", sevNone, 2},
		{"OG:  x", sevNone, 0},
		{"\tLOG:  x", sevBlank, 0},
	} {
		sev, word, _ := lineSeverity([]byte(tc.line))
		if sev != tc.sev || sev != sevNone && word != tc.word {
			t.Errorf("lineSeverity(%q) = %v at %d, want %v at %d", tc.line, sev, word, tc.sev, tc.word)
		}
	}
}
