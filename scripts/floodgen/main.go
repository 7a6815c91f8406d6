// Command floodgen writes a PostgreSQL stderr log in which clients choose
// a new name every time, for scripts/nameflood.sh (issue 12): memory and
// the state file must stay bounded whatever names clients send.
//
//	go run ./scripts/floodgen -kind apps -n 300000 > apps.log
//
// Kinds:
//
//	apps  N sessions, each with its own application_name, each closed
//	hba   N refused logins before authentication ("no pg_hba.conf entry"),
//	      each with its own user and database
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"time"
)

func main() {
	kind := flag.String("kind", "apps", "apps or hba")
	n := flag.Int("n", 300000, "sessions or refusals")
	flag.Parse()
	w := bufio.NewWriterSize(os.Stdout, 256<<10)
	defer w.Flush()
	t0 := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	for i := 0; i < *n; i++ {
		// Spread over a day: every timeline slot of the record is used.
		ts := t0.Add(time.Duration(int64(i)*86_400_000/int64(*n)) * time.Millisecond).Format("2006-01-02 15:04:05.000 MST")
		pid := 1000 + i%4000000
		switch *kind {
		case "apps":
			fmt.Fprintf(w, "%s [%d] [unknown]@[unknown] LOG:  connection received: host=10.0.%d.%d port=%d\n", ts, pid, i/250%250, i%250, 30000+i%30000)
			fmt.Fprintf(w, "%s [%d] app@production LOG:  connection authorized: user=app database=production application_name=job-%d-%x\n", ts, pid, i, i*7919)
			fmt.Fprintf(w, "%s [%d] app@production LOG:  disconnection: session time: 0:00:%02d.%03d user=app database=production host=10.0.%d.%d port=%d\n", ts, pid, i%60, i%1000, i/250%250, i%250, 30000+i%30000)
		case "hba":
			fmt.Fprintf(w, "%s [%d] [unknown]@[unknown] LOG:  connection received: host=10.%d.%d.%d port=%d\n", ts, pid, i/62500%250, i/250%250, i%250, 30000+i%30000)
			fmt.Fprintf(w, "%s [%d] user%d@db%d FATAL:  no pg_hba.conf entry for host \"10.%d.%d.%d\", user \"user%d\", database \"db%d\", no encryption\n", ts, pid, i, i, i/62500%250, i/250%250, i%250, i, i)
		default:
			fmt.Fprintln(os.Stderr, "floodgen: -kind must be apps or hba")
			os.Exit(1)
		}
	}
}
