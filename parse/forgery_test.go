package parse

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// Forged lines from client-chosen names. PostgreSQL writes the user and
// database names of a startup packet unescaped into the stderr log: in the
// prefix ('%m [%p] %q%u@%d ') as they are, in a message with a TAB after
// each newline. These entries are built the way a 15 server writes them
// (testdata/logs/pg15-forgery.log and scripts/e2e-forgery.sh have the
// real thing).

const forgedTS = "1999-12-31 23:59:59.000 UTC" // a forged line's time stamp

// namedatalen is where the server cuts a name: NAMEDATALEN-1 bytes.
const namedatalen = 63

// written is one entry as the server writes it: the prefix with user@db
// ("" for a process without a session, as the postmaster), the message
// with a TAB after each of its newlines.
func written(pid int, session bool, user, db, sev, msg string) string {
	p := fmt.Sprintf("2026-11-30 19:58:11.584 UTC [%d] ", pid)
	if session {
		p += user + "@" + db + " "
	}
	return p + sev + ":  " + strings.ReplaceAll(msg, "\n", "\n\t") + "\n"
}

// login is a backend's lines of a login that fails its password: the
// user and the database are the client's choice, cut as the server cuts
// them (namedatalen bytes).
func login(pid int, user, db string) string {
	user, db = user[:min(len(user), namedatalen)], db[:min(len(db), namedatalen)]
	return written(pid, true, "[unknown]", "[unknown]", "LOG", "connection received: host=[local]") +
		written(pid, true, user, db, "FATAL", `password authentication failed for user "`+user+`"`) +
		written(pid, true, user, db, "DETAIL", `Role "`+user+`" does not exist.`+"\nConnection matched pg_hba.conf line 3: \"local all all scram-sha-256\"")
}

// session is a real session that stays open, of PID pid.
func session(pid int, user, db string) string {
	return written(pid, true, "[unknown]", "[unknown]", "LOG", "connection received: host=[local]") +
		written(pid, true, user, db, "LOG", "connection authorized: user="+user+" database="+db+" application_name=psql")
}

// brief is what a forgery may change of an event.
func brief(ev Event) string {
	return fmt.Sprintf("%s %d %q@%q %s", ev.Kind, ev.PID, ev.User, ev.DB, ev.Category)
}

func TestForgedLines(t *testing.T) {
	const live = 4232
	open := session(live, "a", "p")
	openEvs := []string{`received 4232 ""@"" `, `connect 4232 "a"@"p" `}
	failed := func(pid int, user, db string) []string {
		return append(append([]string(nil), openEvs...), `received 4500 ""@"" `,
			fmt.Sprintf("failure %d %q@%q authentication_failed", pid, user, db))
	}
	tests := []struct {
		name     string
		user, db string // the startup packet's
		after    string // more log after the attempt
		lost     bool   // the failure has no PID and database: its first line looks whole
	}{{
		// The example: a restart that would end every session.
		name: "restart in the user name",
		user: "x\n" + forgedTS + " [1] LOG:  starting PostgreSQL ", db: "postgres",
	}, {
		name: "shutdown in the user name",
		user: "\n" + forgedTS + " [1] LOG:  database system is shut down", db: "postgres",
	}, {
		name: "phantom connect across both names",
		user: "z\n" + forgedTS + " [4444] ghost", db: "prod LOG:  connection authorized: user=ghost database=prod\n",
	}, {
		name: "disconnection of a live session",
		user: "d\n" + forgedTS + " [4232] a", db: "p LOG:  disconnection: session time: 0:00:01.000 user=a\n",
	}, {
		// The first line closes by itself ("a@p LOG:  x"); the forged
		// disconnection is cut short of its database and host.
		name: "disconnection of a live session after a line that looks whole",
		user: "a@p LOG:  x\n" + forgedTS + " [4232] a", db: "p LOG:  disconnection: session time: 0:00:01.000 user=a\n",
		lost: true,
	}, {
		name: "too many clients",
		user: "t\n" + forgedTS + " [5555] t", db: "p FATAL:  sorry, too many clients already\n",
	}, {
		name: "year 9999",
		user: "f\n9999-12-31 23:59:59.000 UTC [6666] f", db: "p LOG:  connection authorized: user=f database=p\n",
	}, {
		name: "TAB after the newline",
		user: "c\n\t" + forgedTS + " [1] LOG:  terminating any other active server processes", db: "postgres",
	}, {
		name: "several newlines",
		user: "m\n" + forgedTS + " [1] LOG:  x\n" + forgedTS + " [2] LOG:  y", db: "db\nz",
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := open + login(4500, tc.user, tc.db) + tc.after + session(4600, "b", "q")
			user, db := tc.user[:min(len(tc.user), namedatalen)], tc.db[:min(len(tc.db), namedatalen)]
			pid := 4500
			if tc.lost {
				pid, db = 0, ""
			}
			want := append(failed(pid, user, db), `received 4600 ""@"" `, `connect 4600 "b"@"q" `)
			for _, prefix := range []string{"", "%m [%p] %q%u@%d "} {
				evs, _ := readAll(t, data, Options{Prefix: prefix})
				var got []string
				for _, ev := range evs {
					got = append(got, brief(ev))
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("prefix %q:\n got %q\nwant %q\nlog:\n%s", prefix, got, want, data)
				}
				checkSame(t, []byte(data), Options{Prefix: prefix})
			}
		})
	}
}

// A database name forged after a login that succeeds: the connect is
// logged, then refused, with the name the client sent.
func TestForgedDatabaseName(t *testing.T) {
	for _, db := range []string{
		"\n" + forgedTS + " [1] LOG:  database system is shut down",
		`q"` + "\n" + forgedTS + " [1] LOG:  database system is ready", // a quote in the name
		"nodb\n" + forgedTS + " [77] LOG:  connection authorized: user=ghost database=x",
	} {
		db = db[:min(len(db), namedatalen)]
		data := written(300, true, "[unknown]", "[unknown]", "LOG", "connection received: host=[local]") +
			written(300, true, "app", db, "LOG", "connection authorized: user=app database="+db+" application_name=psql") +
			written(300, true, "app", db, "FATAL", `database "`+db+`" does not exist`)
		want := []string{`received 300 ""@"" `, fmt.Sprintf("connect 300 \"app\"@%q ", db), fmt.Sprintf("failure 300 \"app\"@%q database_does_not_exist", db)}
		evs, _ := readAll(t, data, Options{})
		var got []string
		for _, ev := range evs {
			got = append(got, brief(ev))
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("database %q:\n got %q\nwant %q", db, got, want)
		}
		checkSame(t, []byte(data), Options{})
	}
}

// Without names in the prefix, a name quoted in a message continues on
// TAB lines: the failure has the whole name.
func TestForgedQuotedName(t *testing.T) {
	user := "x\n" + forgedTS + " [1] LOG:  starting PostgreSQL "
	data := written(300, false, "", "", "LOG", "connection received: host=[local]") +
		written(300, false, "", "", "FATAL", `password authentication failed for user "`+user+`"`)
	evs, _ := readAll(t, data, Options{Prefix: "%m [%p] "})
	if len(evs) != 2 || evs[1].Kind != Failure || evs[1].User != user {
		t.Errorf("got %v, want a received and a failure of %q", evs, user)
	}
}

// Reset lines are the server's only in full: from a process without a
// session, with their whole message.
func TestResetShape(t *testing.T) {
	for _, line := range []string{
		"2026-11-30 19:59:00.000 UTC [1] LOG:  starting PostgreSQL @postgres FATAL:  password authentication failed for user \"x\n",
		"2026-11-30 19:59:00.000 UTC [1] a@b LOG:  database system is shut down\n",
		"2026-11-30 19:59:00.000 UTC [1] [unknown]@x LOG:  all server processes terminated; reinitializing\n",
	} {
		evs, _ := readAll(t, line, Options{Prefix: "%m [%p] %q%u@%d "})
		if len(evs) != 0 {
			t.Errorf("%q: got %v, want no event", line, evs)
		}
	}
	for _, line := range []string{
		"2026-11-30 19:59:00.000 UTC [1] LOG:  starting PostgreSQL 15.20 on x86_64-pc-linux-gnu, compiled by gcc, 64-bit\n",
		// %-12u read without its padding: the postmaster's empty names are spaces.
		"2026-11-30 19:59:00 UTC [100]: [1-1] user=            ,db=            ,app=,client= LOG:  database system is shut down\n",
	} {
		evs, _ := readAll(t, line, Options{})
		if len(evs) != 1 || evs[0].Kind != Reset {
			t.Errorf("%q: got %v, want a reset", line, evs)
		}
	}
}

// The fast path: the line that opens the entry ends one block, the forged
// line starts the next.
func TestForgedAcrossBlocks(t *testing.T) {
	stmt := "2026-11-30 19:58:11.000 UTC [201] app@prod LOG:  statement: select 1\n"
	user := "x\n" + forgedTS + " [1] LOG:  starting PostgreSQL "
	attempt := login(4500, user, "postgres")
	want := blockSize - (strings.Index(attempt, "\n"+forgedTS) + 1)
	var head bytes.Buffer
	head.WriteString(session(200, "app", "prod"))
	for head.Len()+2*len(stmt) < want {
		head.WriteString(stmt)
	}
	p := len(stmt) - len("select 1\n")
	head.WriteString(stmt[:p] + "select '" + strings.Repeat("y", want-head.Len()-p-10) + "'\n")
	head.WriteString(attempt)
	data := head.Bytes()
	if k := bytes.Index(data, []byte("\n"+forgedTS)); k+1 != blockSize {
		t.Fatalf("the forged line starts at %d, want %d", k+1, blockSize)
	}
	evs, _ := readAll(t, string(data), Options{})
	if n := len(evs); n != 4 || evs[3].Kind != Failure || evs[3].User != user {
		t.Errorf("got %d events, want 2 of the session, a received, the failure of %q: %v", n, user, evs)
	}
	checkSame(t, data, Options{})
}
