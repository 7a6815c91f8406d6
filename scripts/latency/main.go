// Command latency measures how long `pgtail connections --watch` takes to
// print an event after its line is written to its input pipe.
//
//	go run ./scripts/latency -pgtail ./bin/pgtail -n 200
//
// It writes N "connection authorized" lines, each after a burst of
// statement lines, into a pipe that is pgtail's stdin, notes when each is
// written, reads pgtail's stdout and reports the median, p99 and max delay.
// It exits 1 if an event is missing or the max exceeds -limit.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

func main() {
	bin := flag.String("pgtail", "pgtail", "the pgtail binary")
	n := flag.Int("n", 200, "events to write")
	noise := flag.Int("noise", 50, "statement lines before each event")
	every := flag.Duration("every", 10*time.Millisecond, "time between events")
	limit := flag.Duration("limit", 50*time.Millisecond, "the most an event may take")
	preload := flag.String("preload", "", "a log to write first (a name flood: the recorded state is big while events are timed)")
	state := flag.String("state", "", "PGTAIL_STATE for pgtail (default: in a new private temp dir)")
	flag.Parse()
	if *state == "" {
		dir, err := os.MkdirTemp("", "pgtail-latency.")
		check(err)
		defer os.RemoveAll(dir)
		*state = dir + "/state.json"
	}

	cmd := exec.Command(*bin, "connections", "--watch", "--color=never")
	cmd.Env = append(os.Environ(), "PGTAIL_STATE="+*state)
	in, err := cmd.StdinPipe()
	check(err)
	out, err := cmd.StdoutPipe()
	check(err)
	check(cmd.Start())

	sent := make([]time.Time, *n)
	got := make([]time.Duration, *n)
	var mu sync.Mutex
	done := make(chan int)
	preloaded := make(chan struct{})
	go func() {
		re := regexp.MustCompile(`user: u(\d+)\b`)
		sc := bufio.NewScanner(out)
		seen := 0
		for sc.Scan() {
			now := time.Now()
			if strings.Contains(sc.Text(), "user: preloaded") {
				close(preloaded)
				continue
			}
			m := re.FindStringSubmatch(sc.Text())
			if m == nil {
				continue
			}
			i, _ := strconv.Atoi(m[1])
			mu.Lock()
			got[i] = now.Sub(sent[i])
			mu.Unlock()
			seen++
		}
		done <- seen
	}()

	if *preload != "" {
		f, err := os.Open(*preload)
		check(err)
		_, err = io.Copy(in, f)
		check(err)
		f.Close()
		// Time events only once pgtail has read the preload, and a save
		// of the big state may be under way.
		_, err = fmt.Fprintln(in, "2026-11-25 09:59:59.000 UTC [999] preloaded@prod LOG:  connection authorized: user=preloaded database=prod")
		check(err)
		<-preloaded
		time.Sleep(1500 * time.Millisecond)
	}
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC) // after any preload
	for i := 0; i < *n; i++ {
		ts := t0.Add(time.Duration(i) * time.Second).Format("2006-01-02 15:04:05.000 MST")
		var buf []byte
		for k := 0; k < *noise; k++ {
			buf = fmt.Appendf(buf, "%s [%d] app@prod LOG:  statement: SELECT abalance FROM pgbench_accounts WHERE aid = %d;\n", ts, 1000+i, k)
		}
		_, err := in.Write(buf)
		check(err)
		line := fmt.Sprintf("%s [%d] u%d@prod LOG:  connection authorized: user=u%d database=prod application_name=bench\n", ts, 1000+i, i, i)
		mu.Lock()
		sent[i] = time.Now()
		mu.Unlock()
		_, err = in.Write([]byte(line))
		check(err)
		time.Sleep(*every)
	}
	time.Sleep(200 * time.Millisecond) // let the last events through before EOF
	in.Close()
	seen := <-done
	cmd.Wait()

	mu.Lock()
	defer mu.Unlock()
	if seen != *n {
		fmt.Printf("latency: %d of %d events seen\n", seen, *n)
		os.Exit(1)
	}
	slices.Sort(got)
	med, p99, mx := got[len(got)/2], got[(len(got)*99+99)/100-1], got[len(got)-1]
	fmt.Printf("watch latency over %d events (%d statement lines before each, one every %v): median %v, p99 %v, max %v\n",
		*n, *noise, *every, med.Round(time.Microsecond), p99.Round(time.Microsecond), mx.Round(time.Microsecond))
	if mx > *limit {
		fmt.Printf("latency: max %v exceeds %v\n", mx, *limit)
		os.Exit(1)
	}
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "latency:", err)
		os.Exit(2)
	}
}
