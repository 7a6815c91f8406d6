package record

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pgtail/pgtail/aggregate"
	"github.com/pgtail/pgtail/parse"
)

// tracked is the state after reading a real log, with open sessions,
// failures and a peak.
func tracked(t *testing.T) *aggregate.State {
	t.Helper()
	f, err := os.Open("../testdata/logs/mini.log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st := aggregate.New(aggregate.Config{})
	r := parse.NewReader(f, parse.Options{})
	for ev, err := r.Read(); err != io.EOF; ev, err = r.Read() {
		if err != nil {
			t.Fatal(err)
		}
		st.Apply(new(ev))
	}
	if st.Summary(aggregate.Filter{}).Active == 0 {
		t.Fatal("mini.log leaves no open session: the round trip would prove nothing")
	}
	return st
}

func statePath(t *testing.T) string {
	return filepath.Join(t.TempDir(), "pgtail", "connections.json")
}

func open(t *testing.T, path string) *Recorder {
	t.Helper()
	r, err := Open(path)
	if err != nil || r == nil {
		t.Fatalf("Open = %v, %v; want a recorder", r, err)
	}
	t.Cleanup(r.Close)
	return r
}

func save(t *testing.T, r *Recorder, st *aggregate.State) {
	t.Helper()
	if cleared, err := r.Save(st); cleared || err != nil {
		t.Fatalf("Save = %v, %v; want false, nil", cleared, err)
	}
}

func load(t *testing.T, path string) *aggregate.State {
	t.Helper()
	st, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return st
}

func empty(st *aggregate.State) bool {
	return st.Summary(aggregate.Filter{}).Events == 0
}

func TestRoundTrip(t *testing.T) {
	path := statePath(t)
	st := tracked(t)
	save(t, open(t, path), st)

	got := load(t, path)
	for _, f := range []aggregate.Filter{{}, {DB: "production"}, {User: "app_user"}} {
		if want, got := st.Summary(f), got.Summary(f); !reflect.DeepEqual(got, want) {
			t.Errorf("Summary(%+v) after the round trip:\n got %+v\nwant %+v", f, got, want)
		}
	}
	if want, got := st.Peak(), got.Peak(); !reflect.DeepEqual(got, want) {
		t.Errorf("Peak after the round trip: got %+v, want %+v", got, want)
	}
	if want, got := st.FailureTable(aggregate.Filter{}), got.FailureTable(aggregate.Filter{}); !reflect.DeepEqual(got, want) {
		t.Errorf("FailureTable after the round trip: got %+v, want %+v", got, want)
	}

	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestLoadMissing(t *testing.T) {
	if st := load(t, statePath(t)); !empty(st) {
		t.Errorf("a missing record loads as %+v, want the empty state", st.Summary(aggregate.Filter{}))
	}
}

// A corrupt record is an empty state and an error wrapping ErrCorrupt; a
// file that is no pgtail record, one wrapping ErrForeign (issue 12: it is
// never replaced). The caller warns and goes on.
func TestLoadBad(t *testing.T) {
	path := statePath(t)
	save(t, open(t, path), tracked(t))
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	header, _, _ := strings.Cut(string(good), "\n")
	for name, c := range map[string]struct {
		content string
		want    error
	}{
		"cut short":       {string(good[:len(good)*2/3]), ErrCorrupt},
		"body not JSON":   {header + "\n{not json", ErrCorrupt},
		"header not JSON": {"garbage\n{}", ErrForeign},
		"empty file":      {"", ErrCorrupt},
		"binary":          {"\x1f\x8b\x08\x00\x00\x00", ErrForeign},
		"other version":   {strings.Replace(header, `"version":1`, `"version":99`, 1) + "\n{}", ErrCorrupt},
		"foreign JSON":    {`{"name":"some other program's file"}` + "\n" + `{"sessions":3}`, ErrForeign},
		"no version":      {`{"generation":3}` + "\n{}", ErrForeign},
	} {
		t.Run(name, func(t *testing.T) {
			if err := os.WriteFile(path, []byte(c.content), 0o600); err != nil {
				t.Fatal(err)
			}
			st, err := Load(path)
			if !errors.Is(err, c.want) {
				t.Errorf("Load error = %v, want one wrapping %v", err, c.want)
			}
			if st == nil || !empty(st) {
				t.Errorf("Load state = %v, want the empty state", st)
			}
		})
	}
}

// While one tracker records, another cannot take the live lock and does
// not record; once the first closes, the next one can.
func TestLiveLock(t *testing.T) {
	path := statePath(t)
	first := open(t, path)
	second, err := Open(path)
	if second != nil || err != nil {
		second.Close()
		t.Fatalf("Open while another recorder is live = %v, %v; want nil, nil", second, err)
	}
	first.Close()
	first.Close() // twice is harmless
	third, err := Open(path)
	if third == nil || err != nil {
		t.Fatalf("Open after Close = %v, %v; want a recorder", third, err)
	}
	third.Close()
}

// A clear from another process reaches a running recorder: Cleared
// reports it once, and a Save that would overwrite it writes nothing.
func TestClearSeenByRecorder(t *testing.T) {
	path := statePath(t)
	st := tracked(t)
	r := open(t, path)
	save(t, r, st)
	if r.Cleared() {
		t.Fatal("Cleared before any clear")
	}

	if err := Clear(path); err != nil {
		t.Fatal(err)
	}
	if got := load(t, path); !empty(got) {
		t.Errorf("after Clear the record holds %+v, want the empty state", got.Summary(aggregate.Filter{}))
	}
	if !r.Cleared() {
		t.Fatal("the recorder did not see the clear")
	}
	if r.Cleared() {
		t.Error("Cleared reported the same clear twice")
	}

	if err := Clear(path); err != nil {
		t.Fatal(err)
	}
	cleared, err := r.Save(st)
	if !cleared || err != nil {
		t.Fatalf("Save after a clear = %v, %v; want true, nil", cleared, err)
	}
	if got := load(t, path); !empty(got) {
		t.Error("a Save after a clear overwrote the cleared record")
	}
	save(t, r, st) // the caller saves again: now it is written
	if got := load(t, path); empty(got) {
		t.Error("the Save after the reset wrote nothing")
	}
}

// Clear works without a record and without its directory.
func TestClearMissing(t *testing.T) {
	path := statePath(t)
	if err := Clear(path); err != nil {
		t.Fatal(err)
	}
	if got := load(t, path); !empty(got) {
		t.Error("a cleared record is not empty")
	}
	// A recorder opened after the clear starts at its generation and
	// has nothing to report.
	if r := open(t, path); r.Cleared() {
		t.Error("a recorder opened after a clear reports it")
	}
}

func TestPath(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	for _, tc := range []struct {
		getenv func(string) string
		want   string
	}{
		{env("PGTAIL_STATE", "/x/s.json", "XDG_STATE_HOME", "/xdg", "HOME", "/home/u"), "/x/s.json"},
		{env("XDG_STATE_HOME", "/xdg", "HOME", "/home/u"), "/xdg/pgtail/connections.json"},
		{env("HOME", "/home/u"), "/home/u/.local/state/pgtail/connections.json"},
	} {
		if got, err := Path(tc.getenv); got != tc.want || err != nil {
			t.Errorf("Path = %q, %v; want %q", got, err, tc.want)
		}
	}
	if got, err := Path(env()); err == nil {
		t.Errorf("Path without PGTAIL_STATE and HOME = %q, want an error", got)
	}
}
