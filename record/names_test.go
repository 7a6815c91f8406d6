package record

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/pgtail/pgtail/aggregate"
	"github.com/pgtail/pgtail/parse"
)

// saved records a state whose sessions hold names and returns the path.
func saved(t testing.TB, names []aggregate.Names, sessions int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state", "connections.json")
	st := aggregate.New(aggregate.Config{Resolution: time.Minute, Retention: 24 * time.Hour})
	t0 := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	for i := range max(sessions, len(names)) {
		n := names[i%len(names)]
		st.Apply(&parse.Event{Kind: parse.Connect, Time: t0.Add(time.Duration(i) * time.Millisecond), PID: 1000 + i, DB: n.DB, User: n.User, App: n.App})
	}
	rec, err := Open(path)
	if err != nil || rec == nil {
		t.Fatal(rec, err)
	}
	defer rec.Close()
	if _, err := rec.Save(st); err != nil {
		t.Fatal(err)
	}
	return path
}

func listDir(t testing.TB, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		fi, _ := e.Info()
		out = append(out, fmt.Sprintf("%s %d %v", e.Name(), fi.Size(), fi.ModTime()))
	}
	return out
}

// collect gathers what Names gives.
func collect(path string) ([]aggregate.Names, error) {
	var names []aggregate.Names
	err := Names(path, func(n aggregate.Names) { names = append(names, n) })
	return names, err
}

// Names reads the same names Load does, from the record only: nothing
// in its directory is created or changed.
func TestNames(t *testing.T) {
	want := []aggregate.Names{
		{DB: "production", User: "app_user", App: "rails"},
		{DB: "my db", User: "o'brien", App: "psql $x"},
		{DB: "a&b;c", User: `us"er`, App: aggregate.Unknown},
		{DB: `back\slash <x>`, User: "ünïcødé\u2028", App: "tab\there"},
	}
	path := saved(t, want, 50)
	before := listDir(t, filepath.Dir(path))
	got, err := collect(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("Names = %v, want %v", got, want)
	}
	st, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if sum := st.Summary(aggregate.Filter{}); sum.Active != 50 {
		t.Errorf("Load sees %d active, want 50", sum.Active)
	}
	if after := listDir(t, filepath.Dir(path)); !slices.Equal(before, after) {
		t.Errorf("the state directory changed:\n%v\n%v", before, after)
	}

	if err := Clear(path); err != nil {
		t.Fatal(err)
	}
	if got, err := collect(path); got != nil || err != nil {
		t.Errorf("after clear: %v, %v", got, err)
	}
	missing := filepath.Join(t.TempDir(), "none", "connections.json")
	if got, err := collect(missing); got != nil || err != nil {
		t.Errorf("missing: %v, %v", got, err)
	}
	if _, err := os.Stat(filepath.Dir(missing)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Names created the directory of a missing record: %v", err)
	}
	// A names list in another shape (spaces, a new key) takes the
	// decoder's way and gives the same names.
	other := filepath.Join(t.TempDir(), "c.json")
	body := `{"version":1,"generation":1}` + "\n" + `{"resolution": 60, "names": [ {"app": "psql", "db": "my db", "user": "o'brien", "new": 1} ], "sessions": []}`
	if err := os.WriteFile(other, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := collect(other); err != nil || !slices.Equal(got, []aggregate.Names{{DB: "my db", User: "o'brien", App: "psql"}}) {
		t.Errorf("another shape: %v, %v", got, err)
	}
	// Completion follows the state path rules: no link, no FIFO (which
	// would hang a plain open), only this user's regular file.
	dir := t.TempDir()
	link, fifo := filepath.Join(dir, "link.json"), filepath.Join(dir, "fifo.json")
	if err := os.Symlink(path, link); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{link, fifo} {
		if _, err := collect(p); !errors.Is(err, ErrForeign) {
			t.Errorf("%s: err %v, want ErrForeign", filepath.Base(p), err)
		}
	}
	// Not a pgtail record at all: foreign, left alone.
	garbage := filepath.Join(t.TempDir(), "c.json")
	if err := os.WriteFile(garbage, []byte("garbage\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := collect(garbage); !errors.Is(err, ErrForeign) {
		t.Errorf("garbage: err %v, want ErrForeign", err)
	}
	for _, bad := range []string{`{"version":1,"generation":1}` + "\n" + `{"names":[{"db":"a","user":"b","app":"c"},{"db":"a","user":"b"}]}`, `{"version":99,"generation":1}` + "\n{}", `{"version":1,"generation":1}` + "\n[1]", `{"version":1,"generation":1}` + "\n{\"names\":[{\"db\":1}]}"} {
		p := filepath.Join(t.TempDir(), "c.json")
		if err := os.WriteFile(p, []byte(bad), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := collect(p); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%q: err %v, want ErrCorrupt", bad, err)
		}
	}
}

// BenchmarkNames reads the names of a big record (20000 open sessions
// of 5000 names): it must stay far under the 100 ms completion budget.
func BenchmarkNames(b *testing.B) {
	var names []aggregate.Names
	for i := range 5000 {
		names = append(names, aggregate.Names{DB: fmt.Sprintf("db%d", i%200), User: fmt.Sprintf("user%d", i%50), App: fmt.Sprintf("app %d", i)})
	}
	path := saved(b, names, 20000)
	fi, _ := os.Stat(path)
	b.ReportMetric(float64(fi.Size())/1e6, "MB-record")
	b.Run("Names", func(b *testing.B) {
		for b.Loop() {
			if n, err := collect(path); err != nil || len(n) != 5000 {
				b.Fatal(len(n), err)
			}
		}
	})
	b.Run("Load", func(b *testing.B) {
		for b.Loop() {
			if _, err := Load(path); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// scanNames takes exactly what encoding/json reads as a names list, or
// says it does not: never other names, never a panic.
func FuzzScanNames(f *testing.F) {
	for _, s := range []string{
		`:[]`, `:[{"db":"a","user":"b","app":"c"}]`, `:[{"db":"a\"b","user":"\u0026","app":"\\"}]`,
		`:[{"db":"a","user":"b","app":"c"},{"db":"x","user":"y","app":"z"}]`, `:[{"db":"a","user":"b"}]`,
		`: [ ]`, `:[{"db":"\ud800","user":"","app":""}]`, `:[{"db":"a","user":"b","app":"c"}`, ":[{\"db\":\"\xff\",\"user\":\"\",\"app\":\"\"}]",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var got []aggregate.Names
		_, ok := scanNames(bufio.NewReader(bytes.NewReader(b)), func(n aggregate.Names) { got = append(got, n) })
		if !ok {
			return
		}
		// scanNames stops at the list's end: decode just that value.
		var want []aggregate.Names
		if err := json.NewDecoder(bytes.NewReader(b[1:])).Decode(&want); err != nil {
			t.Fatalf("scanNames took %q, encoding/json does not: %v", b, err)
		}
		if len(got) != len(want) || (len(got) > 0 && !slices.Equal(got, want)) {
			t.Fatalf("%q: scanNames %v, encoding/json %v", b, got, want)
		}
	})
}
