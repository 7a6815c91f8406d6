package parse

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// readPath reads every event of src, line by line (serial) or on the fast path.
func readPath(t testing.TB, src io.Reader, serial bool, opt Options) ([]Event, Stats, error) {
	t.Helper()
	r := NewReader(src, opt)
	r.serial = serial
	var evs []Event
	for ev, err := range r.All() {
		if err != nil {
			return evs, r.Stats(), err
		}
		evs = append(evs, *ev)
	}
	return evs, r.Stats(), nil
}

// fastSources are the ways the fast path tests read data: whole, in half
// reads, with the error on the last read and, for small inputs, one byte
// at a time.
func fastSources(data []byte) map[string]func() io.Reader {
	srcs := map[string]func() io.Reader{
		"whole":   func() io.Reader { return bytes.NewReader(data) },
		"half":    func() io.Reader { return iotest.HalfReader(bytes.NewReader(data)) },
		"dataerr": func() io.Reader { return iotest.DataErrReader(bytes.NewReader(data)) },
	}
	if len(data) < 1<<16 {
		srcs["onebyte"] = func() io.Reader { return iotest.OneByteReader(bytes.NewReader(data)) }
	}
	return srcs
}

// sameRead reports where a read through src differs from the serial one
// in its error (by text) and its events.
func sameRead(t *testing.T, src string, got []Event, gerr error, want []Event, werr error) {
	t.Helper()
	if fmt.Sprint(gerr) != fmt.Sprint(werr) {
		t.Errorf("%s: err = %v, want %v", src, gerr, werr)
	}
	if !reflect.DeepEqual(want, got) {
		t.Errorf("%s: %d events, want %d", src, len(got), len(want))
		for i := range min(len(got), len(want)) {
			if !reflect.DeepEqual(want[i], got[i]) {
				t.Errorf("%s: first difference at event %d:\n got %+v\nwant %+v", src, i, got[i], want[i])
				break
			}
		}
	}
}

// checkSame reads data line by line and through the fast path
// (fastSources) and wants the same events and counts.
func checkSame(t *testing.T, data []byte, opt Options) {
	t.Helper()
	want, ws, werr := readPath(t, bytes.NewReader(data), true, opt)
	exact := opt
	exact.ExactCounts = true
	for name, src := range fastSources(data) {
		// Without exact counts only Entries and Skipped may differ.
		quick, _, _ := readPath(t, src(), false, opt)
		if !reflect.DeepEqual(want, quick) {
			t.Errorf("%s without exact counts: %d events, want %d", name, len(quick), len(want))
		}
		got, gs, gerr := readPath(t, src(), false, exact)
		sameRead(t, name, got, gerr, want, werr)
		if gs.Lines != ws.Lines || gs.Truncated != ws.Truncated || gs.Loose != ws.Loose || gs.Prefix != ws.Prefix {
			t.Errorf("%s: stats = %+v, want %+v", name, gs, ws)
		}
		if gs.Entries != ws.Entries || gs.Skipped != ws.Skipped {
			t.Errorf("%s: exact Entries/Skipped = %d/%d, want %d/%d", name, gs.Entries, gs.Skipped, ws.Entries, ws.Skipped)
		}
	}
}

func TestFastPathSameAsSerial(t *testing.T) {
	logs, _ := filepath.Glob("../testdata/logs/*.log")
	for _, f := range logs {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(filepath.Base(f), func(t *testing.T) { checkSame(t, data, Options{}) })
	}
	conn := "2026-11-24 10:01:00.005 UTC [201] app_user@production LOG:  connection authorized: user=app_user database=production application_name=rails\n"
	stmt := "2026-11-24 10:01:00.006 UTC [201] app_user@production LOG:  statement: select 1\n"
	long := "2026-11-24 10:01:00.007 UTC [201] app_user@production LOG:  statement: select '" + strings.Repeat("x", MaxLine) + "'\n"
	cases := map[string]string{
		"empty":         "",
		"garbage":       "hello\nnot a log\n\n",
		"no final nl":   stmt + conn[:len(conn)-1],
		"crlf":          strings.ReplaceAll(stmt+conn+conn, "\n", "\r\n"),
		"continuation":  stmt + "\tconnection authorized: user=evil database=x\n" + conn,
		"blank first":   "\n\n" + conn,
		"garbage first": "junk connection line\nFATAL:  x\n" + conn + stmt + "more junk\n",
		"long line":     conn + long + conn + long[:MaxLine-1] + "\n" + conn + long[:MaxLine] + "\n" + conn + long[:MaxLine+1] + "\n" + conn,
		"long last":     conn + long[:len(long)-1],
		"many":          strings.Repeat(stmt+stmt+conn, 20000),
		"resets": stmt + "2026-11-24 10:02:00.000 UTC [100] LOG:  database system is shut down\n" +
			"2026-11-24 10:03:00.000 UTC [100] LOG:  starting PostgreSQL 15.20 on x86_64\n" + conn +
			"2026-11-24 10:04:00.000 UTC [100] LOG:  terminating any other active server processes\n" +
			"2026-11-24 10:04:00.000 UTC [100] LOG:  all server processes terminated; reinitializing\n" +
			"2026-11-24 10:04:00.000 UTC [100] LOG:  database system was interrupted; last known up at 2026-11-24 10:03:00 UTC\n" +
			"2026-11-24 10:04:00.000 UTC [100] LOG:  database system was not properly shut down; automatic recovery in progress\n" +
			"2026-11-24 10:04:00.000 UTC [100] LOG:  received immediate shutdown request\n" +
			"2026-11-24 10:05:00.000 UTC [300] bob@x FATAL:  sorry, too many clients already\n" +
			"2026-11-24 10:06:00.000 UTC [301] bob@x FATAL:  password authentication failed for user \"bob\"\n" +
			"2026-11-24 10:06:00.000 UTC [301] bob@x DETAIL:  Password does not match for user \"bob\".\n" +
			"2026-11-24 10:06:00.000 UTC [302] bob@x FATAL:  password authentication failed for user \"bob\"\n" + conn +
			"2026-11-24 10:06:00.000 UTC [303] bob@x FATAL:  password authentication failed for user \"bob\"\n",
	}
	// Translated messages, and a French disconnection whose second line
	// starts the next block.
	localized := "2026-11-25 21:41:16.700 CET [16044] [unbekannt]@[unbekannt] LOG:  Verbindung empfangen: Host=[local]\n" +
		"2026-11-25 21:41:16.713 CET [16044] alice@appdb LOG:  Verbindung autorisiert: Benutzer=alice Datenbank=appdb application_name=psql\n" +
		"2026-11-25 21:41:17.713 CET [16044] alice@appdb LOG:  Verbindungsende: Sitzungszeit: 0:00:01.000 Benutzer=alice Datenbank=appdb Host=[local]\n" +
		"2026-11-25 21:41:17.800 CET [16050] rep@[unbekannt] LOG:  Replikationsverbindung autorisiert: Benutzer=rep\n" +
		"2026-11-25 21:41:19.000 CET [16047] alice@appdb LOG:  connexion autorisée : utilisateur=alice base de données appdb application_name=psql\n" +
		"2026-11-25 21:41:19.500 CET [16047] alice@appdb LOG:  connexion reçue : hôte=[local]\n"
	frDisc := "2026-11-25 21:41:20.000 CET [16047] alice@appdb LOG:  déconnexion : durée de la session : 0:00:01.000\n"
	frCont := "\tutilisateur=alice base=appdb hôte=[local]\n"
	cases["localized"] = localized + frDisc + frCont + "2026-11-25 21:41:23.000 CET [16000] LOG:  le système de base de données est arrêté\n" +
		"2026-11-25 21:41:23.000 CET [16000] LOG:  Datenbanksystem ist heruntergefahren\n" +
		"2026-11-25 21:41:23.000 CET [16000] LOG:  alle Serverprozesse beendet; initialisiere neu\n"
	head := localized
	for len(head)+len(stmt) < blockSize-len(frDisc)-200 {
		head += stmt
	}
	pad := blockSize - len(head) - len(frDisc) - len(stmt) + len("select 1\n")
	head += stmt[:len(stmt)-len("select 1\n")] + strings.Repeat("x", pad-1) + "\n"
	if len(head)+len(frDisc) != blockSize {
		t.Fatalf("block boundary test is %d bytes, want %d", len(head)+len(frDisc), blockSize)
	}
	cases["continuation across blocks"] = head + frDisc + frCont + conn
	for name, data := range cases {
		t.Run(name, func(t *testing.T) { checkSame(t, []byte(data), Options{}) })
	}
	t.Run("prefix", func(t *testing.T) { checkSame(t, []byte(cases["resets"]), Options{Prefix: "%m [%p] %q%u@%d "}) })
}

// TestFastPathBenchCorpus compares the two paths on the corpora that
// scripts/bench.sh generates, when they are there.
func TestFastPathBenchCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	for _, shape := range []string{"quiet", "storm"} {
		data, err := os.ReadFile("/tmp/pgtail-bench/" + shape + "-stderr-100mb.log")
		if err != nil {
			t.Logf("no %s bench corpus: %v", shape, err)
			continue
		}
		data = data[:bytes.LastIndexByte(data[:min(len(data), 16<<20)], '\n')+1]
		t.Run(shape, func(t *testing.T) { checkSame(t, data, Options{}) })
	}
}

// TestWorkersReadEvents: on the fast path the scan workers read the
// events (the decoder only takes them), but for the first blocks, read
// before the decoder knows the prefix, and for translated messages.
func TestWorkersReadEvents(t *testing.T) {
	conn := "2026-11-24 10:01:00.005 UTC [201] app_user@production LOG:  connection authorized: user=app_user database=production application_name=rails\n"
	stmt := "2026-11-24 10:01:00.006 UTC [201] app_user@production LOG:  statement: select 1\n"
	disc := "2026-11-24 10:01:00.007 UTC [201] app_user@production LOG:  disconnection: session time: 0:00:00.002 user=app_user database=production host=[local]\n"
	de := "2026-11-25 21:41:16.713 CET [16044] alice@appdb LOG:  Verbindung autorisiert: Benutzer=alice Datenbank=appdb application_name=psql\n"
	for _, tc := range []struct {
		name string
		opt  Options
	}{{"detected", Options{}}, {"given", Options{Prefix: "%m [%p] %q%u@%d "}}} {
		r := NewReader(strings.NewReader(strings.Repeat(conn+stmt+disc+de, 40000)), tc.opt)
		n := 0
		for _, err := range r.All() {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		d := r.dec.(*stderrDecoder)
		if n != 3*40000 || d.fromWorkers < 2*40000*9/10 || d.fromWorkers > 2*40000 {
			t.Errorf("%s: %d of %d events read by the workers, want 90-100%% of the %d English ones", tc.name, d.fromWorkers, n, 2*40000)
		}
	}
}

// TestCandidatesCoverEvents: every message the classifier turns into an
// event makes its line a candidate, so the fast path never skips an event
// line.
func TestCandidatesCoverEvents(t *testing.T) {
	msgs := []string{
		"LOG:  connection received: host=[local]",
		"LOG:  connection received: host=10.0.0.1 port=5432",
		"LOG:  connection authorized: user=a database=b application_name=c",
		"LOG:  replication connection authorized: user=a",
		"LOG:  disconnection: session time: 0:00:01.000 user=a database=b host=[local]",
		"LOG:  00000: connection authorized: user=a database=b",
		"LOG:  starting PostgreSQL 15.20 on x86_64",
		"LOG:  connection ready: setup total=1.000 ms, fork=0.100 ms, authentication=0.200 ms",
		"LOG:  Verbindung empfangen: Host=[local]",
		"LOG:  Verbindung autorisiert: Benutzer=a Datenbank=b",
		"LOG:  Replikationsverbindung autorisiert: Benutzer=a",
		"LOG:  Verbindungsende: Sitzungszeit: 0:00:01.000 Benutzer=a Datenbank=b Host=[local]",
		"LOG:  Datenbanksystem ist heruntergefahren",
		"LOG:  alle Serverprozesse beendet; initialisiere neu",
		"LOG:  connexion reçue : hôte=[local]",
		"LOG:  connexion autorisée : utilisateur=a base de données b",
		"LOG:  connexion de réplication autorisée : utilisateur=a",
		"LOG:  le système de base de données est arrêté",
	}
	for _, r := range resets {
		msgs = append(msgs, "LOG:  "+r.msg)
	}
	for _, r := range refusals {
		msgs = append(msgs, "FATAL:  "+r.msgid)
	}
	msgs = append(msgs, `FATAL:  Ident authentication failed for user "x"`)
	msgs = append(msgs, translatedEvents()...)
	d := lineDecoder()
	events := 0
	for _, m := range msgs {
		var ev Event
		line := "2026-11-24 10:00:00.000 UTC [1] " + m
		if !d.parseLine([]byte(line), &ev) {
			continue // not an event on its own (e.g. needs a suffix)
		}
		events++
		b := &block{buf: []byte(line + "\n")}
		b.scan()
		if len(b.cands) == 0 || b.cands[0].off != 0 {
			t.Errorf("event %q is not a candidate", m)
		}
		// The csv and json readers skip LOG records by their start.
		m, _, _ = strings.Cut(m, "\n")
		if _, msg, ok := strings.Cut(m, ":  "); ok && !strings.Contains(m[:len(m)-len(msg)], "FATAL") && !isFatalWord(m) {
			msg = strings.TrimPrefix(msg, "00000: ")
			if !logEventStart([]byte(msg)) {
				t.Errorf("logEventStart(%q) = false for an event", msg)
			}
		}
	}
	if events < 500 {
		t.Errorf("only %d events: the translated ones are not read", events)
	}
}

func BenchmarkCountEntries(b *testing.B) {
	f := os.Getenv("PGTAIL_BENCH_LOG")
	if f == "" {
		b.Skip("PGTAIL_BENCH_LOG not set")
	}
	data, err := os.ReadFile(f)
	if err != nil {
		b.Skip(err)
	}
	data = data[:min(len(data), 64<<20)]
	blk := &block{buf: data}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		blk.count(0)
	}
}

// indexColon2 is bytes.Index(line, colon2), at every place around its
// 64-byte head.
func TestIndexColon2(t *testing.T) {
	for n := 0; n < 140; n++ {
		for at := -1; at+3 <= n; at++ {
			line := bytes.Repeat([]byte("1:"), n/2+1)[:n]
			if at >= 0 {
				copy(line[at:], colon2)
			}
			if got, want := indexColon2(line), bytes.Index(line, colon2); got != want {
				t.Fatalf("len %d, at %d: %d, want %d", n, at, got, want)
			}
		}
	}
}

// Whether a line is a candidate depends on that line alone: the
// candidates of a block are those of its lines scanned one at a time.
// Lines of real German and Russian logs, and each without one of its
// words in turn (cut or garbled lines), whose candidates depended on the
// bytes the old anchor search picked from the block.
func TestCandidatesLineByLine(t *testing.T) {
	var lines []string
	for _, name := range []string{"../testdata/logs/pg15-lang-de.log", "../testdata/logs/pg15-lang-ru.log", "../testdata/logs/pg15-forgery.log"} {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.SplitAfter(string(data), "\n") {
			lines = append(lines, l)
			ws := strings.Fields(l)
			for k := range ws {
				lines = append(lines, strings.Join(append(append([]string(nil), ws[:k]...), ws[k+1:]...), " ")+"\n")
			}
		}
	}
	b := &block{buf: []byte(strings.Join(lines, ""))}
	b.scan()
	var want []int32
	off := 0
	for _, l := range lines {
		one := &block{buf: []byte(l)}
		one.scan()
		if len(one.cands) > 0 {
			want = append(want, int32(off))
		}
		off += len(l)
	}
	var got []int32
	for _, c := range b.cands {
		got = append(got, c.off)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%d candidates in one block, %d line by line", len(got), len(want))
	}
	if len(want) < len(lines)/10 {
		t.Fatalf("only %d candidates of %d lines", len(want), len(lines))
	}
}
