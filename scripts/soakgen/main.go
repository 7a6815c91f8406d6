// Command soakgen writes an endless-looking PostgreSQL stderr log at a
// fixed rate, for scripts/soak.sh. It churns through many distinct PIDs:
// sessions that connect and disconnect (about 500 open at any time),
// probes that only log "connection received", failed logins, sessions
// that connect and never disconnect, and now and then a crash that ends
// them all. Time stamps are the wall clock.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"time"
)

type session struct {
	pid      int
	user, db string
}

func main() {
	rate := flag.Int("rate", 20000, "lines per second")
	dur := flag.Duration("duration", 30*time.Second, "how long to write")
	pids := flag.Int("pids", 1_000_000, "distinct PIDs to cycle through")
	crashEvery := flag.Int("crash-every", 500_000, "lines between crash-and-reinitialise lines")
	flood := flag.Bool("flood", false, "every session and failed login with names never seen before (a name flood)")
	flag.Parse()

	w := bufio.NewWriterSize(os.Stdout, 256<<10)
	names := []string{"production", "analytics", "test", "reporting", "app"}
	apps := []string{"rails", "sidekiq", "psql", "pgbouncer", ""}
	var (
		lines, n  int
		next      = 0                    // next PID offset
		open      = make([]session, 500) // ring of open sessions; PID 0 = none
		ringAt    int
		stamp     string
		lastStamp time.Time
	)
	line := func(pid int, who, msg string) {
		if who != "" { // log_line_prefix = '%m [%p] %q%u@%d ': the postmaster stops at %q
			who += " "
		}
		fmt.Fprintf(w, "%s [%d] %s%s\n", stamp, pid, who, msg)
		lines++
	}
	newPID := func() int {
		pid := 1000 + next
		next = (next + 1) % *pids
		return pid
	}
	nextCrash := *crashEvery
	start := time.Now()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for now := start; now.Sub(start) < *dur; now = <-tick.C {
		// Catch up to the rate by the clock, so a slow tick loses nothing.
		want := int(float64(*rate) * (now.Sub(start) + 10*time.Millisecond).Seconds())
		if now.Sub(lastStamp) >= time.Millisecond {
			stamp, lastStamp = now.UTC().Format("2006-01-02 15:04:05.000 MST"), now
		}
		for lines < want {
			n++
			db, user, app := names[n%5], names[(n/5)%5], apps[(n/25)%5]
			if *flood {
				db, user, app = fmt.Sprintf("db%d", n), fmt.Sprintf("user%d", n), fmt.Sprintf("job-%d", n)
			}
			who := user + "@" + db
			pid := newPID()
			switch k := n % 10; {
			case lines >= nextCrash:
				nextCrash += *crashEvery
				line(99, "", "LOG:  server process (PID 1234) was terminated by signal 9: Killed")
				line(99, "", "LOG:  terminating any other active server processes")
				line(99, "", "LOG:  all server processes terminated; reinitializing")
			case k < 6: // a session: connect now, disconnect the one opened 500 sessions ago
				line(pid, "[unknown]@[unknown]", fmt.Sprintf("LOG:  connection received: host=10.0.%d.%d port=%d", n%250, n%200, 30000+n%30000))
				auth := fmt.Sprintf("LOG:  connection authorized: user=%s database=%s", user, db)
				if app != "" {
					auth += " application_name=" + app
				}
				line(pid, who, auth)
				if old := open[ringAt]; old.pid != 0 {
					line(old.pid, old.user+"@"+old.db, fmt.Sprintf("LOG:  disconnection: session time: 0:00:%02d.%03d user=%s database=%s host=10.0.1.1 port=5000", n%60, n%1000, old.user, old.db))
				}
				open[ringAt] = session{pid, user, db}
				ringAt = (ringAt + 1) % len(open)
			case k < 8: // a probe: received, nothing more
				line(pid, "[unknown]@[unknown]", "LOG:  connection received: host=10.9.9.9 port=1")
			case k < 9: // a failed login
				line(pid, "[unknown]@[unknown]", "LOG:  connection received: host=10.9.9.8 port=2")
				line(pid, who, fmt.Sprintf("FATAL:  password authentication failed for user \"%s\"", user))
			default: // connects and never disconnects, until the next crash
				line(pid, who, fmt.Sprintf("LOG:  connection authorized: user=%s database=%s application_name=leaky", user, db))
			}
		}
		if err := w.Flush(); err != nil {
			os.Exit(0) // the reader went away
		}
	}
	fmt.Fprintf(os.Stderr, "soakgen: %d lines in %s, PIDs %d..%d cycled\n", lines, time.Since(start).Round(time.Second), 1000, 1000+*pids-1)
}
