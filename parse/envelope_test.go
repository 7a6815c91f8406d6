package parse

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// unwrapAll reads every inner line of input through the envelope f.
func unwrapAll(t *testing.T, f Format, input string) ([]string, []envMeta, int) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(input, "\n"), "\n")
	src := func() ([]byte, error) {
		if len(lines) == 0 {
			return nil, io.EOF
		}
		l := []byte(lines[0]) // a fresh buffer, as bufio would reuse one
		lines = lines[1:]
		return l, nil
	}
	skipped := 0
	env := newEnvelope(f, src, &skipped)
	var got []string
	var metas []envMeta
	for {
		l, m, err := env.next()
		if err == io.EOF {
			return got, metas, skipped
		}
		if err != nil {
			t.Fatalf("%v: %v", f, err)
		}
		got = append(got, string(l))
		metas = append(metas, m)
	}
}

func wantLines(t *testing.T, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("inner lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

const innerLine = `2026-11-25 21:44:04.081 UTC [27292] [unknown]@[unknown] LOG:  connection received: host=[local]`

func TestEnvelopeKubectl(t *testing.T) {
	got, m, skipped := unwrapAll(t, Kubectl, "2026-11-25T21:44:04.081234567Z "+innerLine+"\n"+
		"[pod/cluster-2/postgres] 2026-11-25T21:44:05.000000001Z "+innerLine+"\n")
	wantLines(t, got, innerLine, innerLine)
	if want := time.Date(2026, 11, 25, 21, 44, 4, 81234567, time.UTC); !m[0].time.Equal(want) || m[0].origin != "" {
		t.Errorf("meta %+v, want time %v", m[0], want)
	}
	if m[1].origin != "cluster-2/postgres" || skipped != 0 {
		t.Errorf("origin %q skipped %d", m[1].origin, skipped)
	}
}

func TestEnvelopeCRIJoinsPartials(t *testing.T) {
	got, m, _ := unwrapAll(t, CRI, "2026-11-25T21:44:04.000000001Z stderr P 2026-11-25 21:44:04.081 UTC [27292] [unk\n"+
		"2026-11-25T21:44:04.000000002Z stderr P nown]@[unknown] LOG:  connection \n"+
		"2026-11-25T21:44:04.000000003Z stderr F received: host=[local]\n"+
		"2026-11-25T21:44:05.000000000Z stdout F \n"+
		"2026-11-25T21:44:06.000000000Z stderr F "+innerLine+"\n"+
		"2026-11-25T21:44:07.000000000Z stderr P cut at the end\n")
	wantLines(t, got, innerLine, "", innerLine, "cut at the end")
	if m[0].time.Nanosecond() != 1 {
		t.Errorf("a joined line has the time of its first piece, got %v", m[0].time)
	}
}

func TestEnvelopeDockerJSON(t *testing.T) {
	half := len(innerLine) / 2
	got, m, skipped := unwrapAll(t, DockerJSON,
		`{"log":"`+innerLine[:half]+`","stream":"stderr","time":"2026-11-25T21:44:04.1Z"}`+"\n"+
			`{"log":"`+innerLine[half:]+`\n","stream":"stderr","time":"2026-11-25T21:44:04.2Z"}`+"\n"+
			`not json`+"\n"+
			`{"log":"say \"hi\"\r\n","stream":"stdout","time":"2026-11-25T21:44:05Z"}`+"\n")
	wantLines(t, got, innerLine, `say "hi"`)
	if skipped != 1 || m[0].time.Nanosecond() != 100000000 {
		t.Errorf("skipped %d, time %v", skipped, m[0].time)
	}
}

func TestEnvelopeJournald(t *testing.T) {
	// A syslog message (its _PID is the backend's), a captured stderr line
	// (its _PID is the postmaster's: not used), a message that is not
	// valid UTF-8 (an array of bytes), and one journalctl left out (null).
	got, m, skipped := unwrapAll(t, Journald,
		`{"__CURSOR":"s=1","__REALTIME_TIMESTAMP":"1795643044081000","_PID":"27292","_HOSTNAME":"db1","_TRANSPORT":"syslog","MESSAGE":"[3-1] LOG:  connection received: host=[local]"}`+"\n"+
			`{"__REALTIME_TIMESTAMP":"1795643044081000","_PID":"27281","_HOSTNAME":"db1","_TRANSPORT":"stdout","MESSAGE":"`+innerLine+`"}`+"\n"+
			`{"__REALTIME_TIMESTAMP":"1795643044081000","_PID":"27292","_TRANSPORT":"syslog","MESSAGE":[91,51,45,50,93,32,68,69,84,65,73,76,58,32,32,195]}`+"\n"+
			`{"__REALTIME_TIMESTAMP":"1795643044081000","_PID":"27292","MESSAGE":null}`+"\n")
	wantLines(t, got, "LOG:  connection received: host=[local]", innerLine, "\tDETAIL:  \xc3")
	if m[0].pid != 27292 || m[1].pid != 0 || m[0].origin != "db1" || skipped != 1 {
		t.Errorf("metas %+v skipped %d", m, skipped)
	}
	if want := time.Date(2026, 11, 25, 21, 44, 4, 81000000, time.UTC); !m[0].time.Equal(want) {
		t.Errorf("time %v, want %v", m[0].time, want)
	}
}

func TestEnvelopeCloudNativePG(t *testing.T) {
	got, m, skipped := unwrapAll(t, CloudNativePG,
		`{"level":"info","ts":"2026-11-25T21:44:04Z","logger":"instance-manager","msg":"Readiness probe ok"}`+"\n"+
			`{"level":"info","ts":"2026-11-25T21:44:04.081Z","logger":"postgres","msg":"record","logging_pod":"cluster-1","record":{"log_time":"2026-11-25 21:44:04.081 UTC","user_name":"app","database_name":"app","process_id":"27292","connection_from":"10.0.0.1:5000","session_id":"1.2","session_line_num":"2","command_tag":"authentication","error_severity":"LOG","sql_state_code":"00000","message":"connection authorized: user=app database=app application_name=\"x, y\"","backend_type":"client backend","query_id":"0"}}`+"\n")
	wantLines(t, got, `2026-11-25 21:44:04.081 UTC,app,app,27292,10.0.0.1:5000,1.2,2,authentication,,,,LOG,00000,"connection authorized: user=app database=app application_name=""x, y""",,,,,,,,,,client backend,,0`)
	if skipped != 1 || m[0].origin != "cluster-1" {
		t.Errorf("skipped %d, origin %q", skipped, m[0].origin)
	}
}

func TestEnvelopeGCloud(t *testing.T) {
	entry := func(ts, text string) string {
		return `{"insertId":"x","logName":"projects/p/logs/cloudsql.googleapis.com%2Fpostgres.log","resource":{"labels":{"database_id":"p:db-1","project_id":"p"},"type":"cloudsql_database"},"severity":"INFO","textPayload":"` + text + `","timestamp":"` + ts + `"}`
	}
	a := `[27292]: [3-1] db=cloudsqladmin,user=cloudsqladmin LOG:  connection received: host=127.0.0.1 port=5000`
	b := `[27292]: [4-1] db=cloudsqladmin,user=cloudsqladmin LOG:  connection authorized: user=cloudsqladmin database=cloudsqladmin`
	perLine := entry("2026-11-25T21:44:04.000001Z", a) + "\n" + `{"insertId":"y","jsonPayload":{}}` + "\n" + entry("2026-11-25T21:44:05Z", b) + "\n"
	got, m, skipped := unwrapAll(t, GCloud, perLine)
	wantLines(t, got, a, b)
	if skipped != 1 || m[0].origin != "p:db-1" || m[0].time.Nanosecond() != 1000 {
		t.Errorf("skipped %d, meta %+v", skipped, m[0])
	}
	// gcloud logging read --format=json: an array, newest first.
	array := "[\n  " + entry("2026-11-25T21:44:05Z", b) + ",\n  " + entry("2026-11-25T21:44:04.000001Z", a) + "\n]\n"
	got, _, _ = unwrapAll(t, GCloud, array)
	wantLines(t, got, a, b)
}

// A gcloud array cut short or broken in the middle: the entries before the
// break are read, then ErrMalformed, never a silent end.
func TestEnvelopeGCloudBroken(t *testing.T) {
	entry := `{"insertId":"x","textPayload":"[1]: LOG:  connection received: host=127.0.0.1 port=5000","timestamp":"2026-11-25T21:44:05Z"}`
	for _, in := range []string{
		"[\n" + entry + ",\n" + entry + "\n",                // no closing bracket
		"[\n" + entry + ",\n" + entry + ",\n{\"insertId\":", // cut in an entry
		"[\n" + entry + ",\n" + entry + ",\n\x01\n]\n",      // not JSON
	} {
		pr := NewReader(strings.NewReader(in), Options{})
		n := 0
		var last error
		for _, err := range pr.All() {
			if err != nil {
				last = err
				break
			}
			n++
		}
		if n != 2 || !errors.Is(last, ErrMalformed) {
			t.Errorf("%q: %d events, error %v; want 2 and ErrMalformed", in, n, last)
		}
	}
}

func TestEnvelopeHeroku(t *testing.T) {
	got, m, skipped := unwrapAll(t, Heroku,
		`2026-11-25T21:44:04.081000+00:00 app[postgres.27292]: [GREEN] [3-1]  sql_error_code = 00000 LOG:  connection received: host=10.0.0.1 port=5000`+"\n"+
			`2026-11-25T21:44:04.081000+00:00 app[postgres.27292]: [GREEN] [3-2]  sql_error_code = 00000 DETAIL:  more`+"\n"+
			`2026-11-25T21:44:04+00:00 heroku[router]: at=info method=GET path="/"`+"\n"+
			`2026-11-25T21:44:04+00:00 app[heroku-postgres]: source=DATABASE sample#current_transaction=1`+"\n")
	wantLines(t, got, "LOG:  connection received: host=10.0.0.1 port=5000", "\tDETAIL:  more")
	if skipped != 2 || m[0].pid != 27292 || m[0].origin != "GREEN" || m[0].time.IsZero() {
		t.Errorf("skipped %d, meta %+v", skipped, m[0])
	}
}

func TestSniffEnvelope(t *testing.T) {
	for _, c := range []struct {
		first string
		want  Format
	}{
		{"2026-11-25T21:44:04.081234567Z " + innerLine, Kubectl},
		{"2026-11-25T21:44:04.081234567Z 2026-11-25 21:44:04 UTC [27292]: [1-1] user=a,db=b LOG:  x", Kubectl},
		{"[pod/cluster-1/postgres] " + innerLine, Kubectl},
		{"2026-11-25T21:44:04.081234567Z stderr F " + innerLine, CRI},
		{`{"log":"x\n","stream":"stderr","time":"2026-11-25T21:44:04Z"}`, DockerJSON},
		{`{"__CURSOR":"s=1","__REALTIME_TIMESTAMP":"1","MESSAGE":"x"}`, Journald},
		{`{"level":"info","ts":1,"logger":"postgres","record":{"error_severity":"LOG"}}`, CloudNativePG},
		{`{"insertId":"x","textPayload":"y","timestamp":"2026-11-25T21:44:04Z"}`, GCloud},
		{"[", GCloud},
		{`[{"insertId":"x"}]`, GCloud},
		{`2026-11-25T21:44:04+00:00 app[postgres.27292]: [GREEN] [3-1] LOG:  x`, Heroku},
		{`{"timestamp":"2026-11-25 21:44:04.081 UTC","error_severity":"LOG"}`, JSONLog},
		{`2026-11-25T21:42:50.655171+00:00 db1 postgres[16887]: [2-1] LOG:  x`, Syslog},
		{`2026-11-25T21:42:50+0000 db1 postgres[16887]: LOG:  x`, Syslog},
		{`Nov 25 21:42:50.655171 db1 postgres[16887]: LOG:  x`, Syslog},
		{`Nov 25 21:42:50 db1 postgres[16887]: [2-1] LOG:  x`, Syslog},
		{innerLine, Stderr},
		{"[27292] LOG:  x", Stderr},
	} {
		got, err := sniffEnvelope([]byte(c.first))
		if err != nil || got != c.want {
			t.Errorf("%s: got %v (%v), want %v", c.first, got, err, c.want)
		}
	}
	if _, err := sniffEnvelope([]byte(`{"msg":"hello","lvl":3}`)); !errors.Is(err, ErrUnknownJSON) || !strings.Contains(err.Error(), "keys lvl, msg") {
		t.Errorf("unknown JSON: %v", err)
	}
	// journalctl's header lines come before the first entry.
	f, err, ok := sniffLines([]byte("-- Logs begin at Mon 2026-11-23 10:00:00 UTC. --\n\nNov 25 21:42:50 db1 postgres[1]: x\n"), false)
	if !ok || err != nil || f != Syslog {
		t.Errorf("sniffLines: %v %v %v", f, err, ok)
	}
	if _, _, ok := sniffLines([]byte("-- Logs begin --\nNov 25 21:42"), false); ok {
		t.Error("sniffLines decided on a partial line")
	}
}

func TestYearGuess(t *testing.T) {
	ref := time.Date(2027, 1, 2, 10, 0, 0, 0, time.Local)
	y := yearGuess{ref: ref}
	for _, c := range []struct {
		stamp string
		want  time.Time
	}{
		{"Dec 30 23:59:58", time.Date(2026, 12, 30, 23, 59, 58, 0, time.Local)},
		{"Dec 31 23:59:59.250000", time.Date(2026, 12, 31, 23, 59, 59, 250000000, time.Local)},
		{"Jan  1 00:00:01", time.Date(2027, 1, 1, 0, 0, 1, 0, time.Local)},
		{"Jan  2 09:00:00", time.Date(2027, 1, 2, 9, 0, 0, 0, time.Local)},
		{"Xyz  2 09:00:00", time.Time{}},
	} {
		if got := y.at([]byte(c.stamp)); !got.Equal(c.want) {
			t.Errorf("%s: got %v, want %v", c.stamp, got, c.want)
		}
	}
	if y.first != 2026 {
		t.Errorf("first year %d, want 2026", y.first)
	}
	// A stream read today: the year is this one.
	y = yearGuess{ref: time.Date(2026, 11, 30, 20, 0, 0, 0, time.Local)}
	if got := y.at([]byte("Nov 30 19:53:20")); got.Year() != 2026 {
		t.Errorf("got %v", got)
	}
}
