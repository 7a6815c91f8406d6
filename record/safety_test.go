package record

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/pgtail/pgtail/aggregate"
)

func TestPathOff(t *testing.T) {
	for _, v := range []string{"off", "/dev/null", "/dev/../dev/null", "//dev/null"} {
		p, err := Path(func(k string) string {
			if k == "PGTAIL_STATE" {
				return v
			}
			return ""
		})
		if !errors.Is(err, ErrOff) || p != "" {
			t.Errorf("PGTAIL_STATE=%q: Path = %q, %v; want recording off", v, p, err)
		}
	}
	p, err := Path(func(k string) string { return map[string]string{"PGTAIL_STATE": "/x/off"}[k] })
	if err != nil || p != "/x/off" {
		t.Errorf("PGTAIL_STATE=/x/off: Path = %q, %v; want the path", p, err)
	}
}

// privateDir is a fresh 0700 state directory.
func privateDir(t *testing.T) string {
	t.Helper()
	d := filepath.Join(t.TempDir(), "state")
	if err := os.Mkdir(d, 0o700); err != nil {
		t.Fatal(err)
	}
	return d
}

// within fails the test when f does not return in time (a FIFO opened
// for reading blocks until a writer comes).
func within(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("%s hangs", what)
	}
}

// refused checks that Load, Open and Clear all refuse path with want,
// and that none of them changes what sits there.
func refused(t *testing.T, path string, want error) {
	t.Helper()
	before, _ := os.Lstat(path)
	var lerr, oerr, cerr error
	var rec *Recorder
	within(t, "Load", func() { _, lerr = Load(path) })
	within(t, "Open", func() { rec, oerr = Open(path) })
	within(t, "Clear", func() { cerr = Clear(path) })
	for _, c := range []struct {
		name string
		err  error
	}{{"Load", lerr}, {"Open", oerr}, {"Clear", cerr}} {
		if !errors.Is(c.err, want) {
			t.Errorf("%s(%s) = %v, want %v", c.name, filepath.Base(path), c.err, want)
		}
	}
	if rec != nil {
		t.Errorf("Open(%s) records", filepath.Base(path))
		rec.Close()
	}
	after, err := os.Lstat(path)
	if before != nil && (err != nil || !os.SameFile(before, after) || before.Mode() != after.Mode() || before.Size() != after.Size()) {
		t.Errorf("%s was changed: %v -> %v (%v)", path, before, after, err)
	}
}

func TestNotRegularRefused(t *testing.T) {
	d := privateDir(t)
	notes := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(notes, []byte("my notes\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	link := filepath.Join(d, "link.json")
	if err := os.Symlink(notes, link); err != nil {
		t.Fatal(err)
	}
	refused(t, link, ErrForeign)
	if b, _ := os.ReadFile(notes); string(b) != "my notes\n" {
		t.Errorf("the link's target was changed: %q", b)
	}

	zero := filepath.Join(d, "zero.json")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	refused(t, zero, ErrForeign)

	dangling := filepath.Join(d, "dangling.json")
	target := filepath.Join(t.TempDir(), "made")
	if err := os.Symlink(target, dangling); err != nil {
		t.Fatal(err)
	}
	refused(t, dangling, ErrForeign)
	if _, err := os.Lstat(target); err == nil {
		t.Errorf("the link's target was created")
	}

	fifo := filepath.Join(d, "fifo.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	refused(t, fifo, ErrForeign)

	dir := filepath.Join(d, "dir.json")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	refused(t, dir, ErrForeign)

	if os.Geteuid() == 0 { // mknod needs root
		dev := filepath.Join(d, "dev.json")
		if err := syscall.Mknod(dev, syscall.S_IFCHR|0o600, 1<<8|3); err != nil { // /dev/null's numbers
			t.Fatal(err)
		}
		refused(t, dev, ErrForeign)
	}
}

func TestForeignContentRefused(t *testing.T) {
	d := privateDir(t)
	for name, content := range map[string]string{
		"notes":        "my notes: do not lose these\n",
		"json":         `{"name":"another tool","version":3}` + "\n{}\n",
		"json-no-gen":  `{"version":1}` + "\n{}\n",
		"array":        "[1,2,3]\n",
		"long line":    string(bytes.Repeat([]byte("x"), 3*maxHeader)),
		"header-extra": `{"version":1,"generation":2,"owner":"me"}` + "\n",
	} {
		p := filepath.Join(d, name+".json")
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		refused(t, p, ErrForeign)
		if b, _ := os.ReadFile(p); string(b) != content {
			t.Errorf("%s: the file was changed to %q", name, b)
		}
		rec, err := Open(filepath.Join(d, "fresh-"+name+".json"))
		if err != nil || rec == nil {
			t.Fatalf("Open of a fresh path: %v", err)
		}
		rec.path = p // the file appeared after Open: Save refuses too
		if _, err := rec.Save(aggregate.New(aggregate.Config{})); !errors.Is(err, ErrForeign) {
			t.Errorf("%s: Save = %v, want ErrForeign", name, err)
		}
		rec.Close()
		if b, _ := os.ReadFile(p); string(b) != content {
			t.Errorf("%s: Save changed the file to %q", name, b)
		}
	}
}

func TestOtherOwnerRefused(t *testing.T) {
	d := privateDir(t)
	p := filepath.Join(d, "connections.json")
	if err := Clear(p); err != nil {
		t.Fatal(err)
	}
	saved := uid
	defer func() { uid = saved }()
	uid = saved + 1 // the file now belongs to someone else
	if saved == 0 {
		refused(t, p, ErrForeign) // in root's directory: the file is refused
	} else {
		refused(t, p, ErrUnsafeDir) // in another user's directory
	}
}

func TestUnsafeDirRefused(t *testing.T) {
	for _, mode := range []os.FileMode{0o770, 0o707, 0o777, 0o720} {
		d := privateDir(t)
		if err := os.Chmod(d, mode); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(d, "connections.json")
		refused(t, p, ErrUnsafeDir)
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("mode %o: a record was written", mode)
		}
		if _, err := os.Lstat(p + ".live"); err == nil {
			t.Errorf("mode %o: a lock file was made", mode)
		}
	}
	// Another user's directory (the uid is faked).
	d := privateDir(t)
	saved := uid
	defer func() { uid = saved }()
	uid = saved + 1
	if st, _ := os.Stat(d); st.Sys().(*syscall.Stat_t).Uid != 0 {
		refused(t, filepath.Join(d, "connections.json"), ErrUnsafeDir)
	}
}

func TestLockLinksNotFollowed(t *testing.T) {
	for _, suffix := range []string{".live", ".lock"} {
		d := privateDir(t)
		p := filepath.Join(d, "connections.json")
		target := filepath.Join(t.TempDir(), "made-by-lock")
		if err := os.Symlink(target, p+suffix); err != nil {
			t.Fatal(err)
		}
		rec, oerr := Open(p)
		if rec != nil {
			_, serr := rec.Save(aggregate.New(aggregate.Config{}))
			if !errors.Is(serr, ErrForeign) {
				t.Errorf("%s: Save = %v, want ErrForeign", suffix, serr)
			}
			rec.Close()
		} else if !errors.Is(oerr, ErrForeign) {
			t.Errorf("%s: Open = %v, want ErrForeign", suffix, oerr)
		}
		if err := Clear(p); suffix == ".lock" && !errors.Is(err, ErrForeign) {
			t.Errorf("%s: Clear = %v, want ErrForeign", suffix, err)
		}
		if _, err := os.Lstat(target); err == nil {
			t.Errorf("%s: the link's target was created", suffix)
		}
	}
}

func TestBoundedRead(t *testing.T) {
	d := privateDir(t)
	p := filepath.Join(d, "connections.json")
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"version":1,"generation":0}` + "\n[")
	if err := f.Truncate(MaxSize + 1<<20); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	f.Close()
	if _, err := Load(p); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Load of a record over MaxSize = %v, want ErrCorrupt", err)
	}
	// It is a pgtail record all the same: a run may replace it.
	rec, err := Open(p)
	if err != nil || rec == nil {
		t.Fatalf("Open = %v", err)
	}
	defer rec.Close()
	if _, err := rec.Save(aggregate.New(aggregate.Config{})); err != nil {
		t.Errorf("Save over a big record: %v", err)
	}
	if _, err := Load(p); err != nil {
		t.Errorf("Load after Save: %v", err)
	}
}

func TestReplaceableRecords(t *testing.T) {
	d := privateDir(t)
	for name, content := range map[string]string{
		"empty":         "",
		"other version": `{"version":99,"generation":4}` + "\n{}\n",
		"cleared":       `{"version":1,"generation":4,"cleared":true}` + "\n",
		"bad body":      `{"version":1,"generation":4}` + "\n{not json\n",
	} {
		p := filepath.Join(d, name+".json")
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		rec, err := Open(p)
		if err != nil || rec == nil {
			t.Errorf("%s: Open = %v", name, err)
			continue
		}
		if _, err := rec.Save(aggregate.New(aggregate.Config{})); err != nil {
			t.Errorf("%s: Save = %v", name, err)
		}
		rec.Close()
		if err := Clear(p); err != nil {
			t.Errorf("%s: Clear = %v", name, err)
		}
		if _, err := Load(p); err != nil {
			t.Errorf("%s: Load after Clear = %v", name, err)
		}
	}
}

func TestMadeFilesArePrivate(t *testing.T) {
	p := filepath.Join(t.TempDir(), "new", "connections.json")
	rec, err := Open(p)
	if err != nil || rec == nil {
		t.Fatalf("Open = %v", err)
	}
	defer rec.Close()
	if _, err := rec.Save(aggregate.New(aggregate.Config{})); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{filepath.Dir(p), p, p + ".live", p + ".lock"} {
		fi, err := os.Lstat(f)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %o", f, fi.Mode().Perm())
		}
	}
}
