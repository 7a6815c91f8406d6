// Package record keeps the recorded session: the statistics of the last
// run that read input, in a state file, so that `pgtail connections` in
// another terminal can report them and `pgtail connections clear` can
// reset them.
//
// The file is JSON in two lines: a small header (format version and the
// clear generation), then the aggregate state. It is replaced atomically
// (temp file + rename in the same directory) with mode 0600 in a 0700
// directory. Two lock files sit beside it:
//
//   - NAME.live is held (flock) for its whole run by the tracker that
//     records; a run that cannot take it does not record, so a one-shot
//     report never clobbers a live tracker's record.
//   - NAME.lock is held for the moment of each read-modify-write, so a
//     clear and a tracker's save cannot interleave.
//
// Nothing at the path is trusted (safe.go): files are opened without
// following links and without blocking, only a regular file of the
// running user is used, only a pgtail record is replaced, and a state
// directory other users can write to is refused. PGTAIL_STATE=off (or
// /dev/null) turns recording off.
package record

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/pgtail/pgtail/aggregate"
)

// Version is the format version of the state file.
const Version = 1

// Path returns the state file: $PGTAIL_STATE, else
// $XDG_STATE_HOME/pgtail/connections.json, else
// ~/.local/state/pgtail/connections.json. PGTAIL_STATE=off or
// PGTAIL_STATE=/dev/null turns recording off: Path returns ErrOff.
func Path(getenv func(string) string) (string, error) {
	if p := getenv("PGTAIL_STATE"); p != "" {
		if off(p) {
			return "", ErrOff
		}
		return p, nil
	}
	if d := getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "pgtail", "connections.json"), nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("cannot find the state file: set PGTAIL_STATE or HOME")
	}
	return filepath.Join(home, ".local", "state", "pgtail", "connections.json"), nil
}

type header struct {
	Version    int  `json:"version"`
	Generation int  `json:"generation"` // raised by every clear
	Cleared    bool `json:"cleared,omitempty"`
}

// ErrCorrupt reports a state file that is not a record of this version.
var ErrCorrupt = errors.New("not a pgtail record of this version")

// Load reads the record. A missing file is an empty state and no error;
// a corrupt record returns an empty state and an error wrapping
// ErrCorrupt, a file that is no pgtail record one wrapping ErrForeign,
// to be shown as a warning.
func Load(path string) (*aggregate.State, error) {
	st := aggregate.New(aggregate.Config{})
	if err := checkDir(path, false); err != nil {
		return st, err
	}
	h, body, err := readRecord(path)
	if errors.Is(err, os.ErrNotExist) {
		return st, nil
	}
	if errors.Is(err, ErrCorrupt) {
		return st, fmt.Errorf("%s: %w", path, err)
	}
	if err != nil {
		return st, err
	}
	if h.Cleared || len(bytes.TrimSpace(body)) == 0 {
		return st, nil
	}
	if err := json.Unmarshal(body, st); err != nil {
		return aggregate.New(aggregate.Config{}), fmt.Errorf("%s: %w: %v", path, ErrCorrupt, err)
	}
	return st, nil
}

// generation reads just the header's clear generation; -1 when the file
// is missing or unreadable.
func generation(path string) int {
	h, err := readHeader(path)
	if err != nil {
		return -1
	}
	return h.Generation
}

// Clear replaces the record with an empty one of the next generation; a
// running tracker sees the new generation and starts from zero. A file
// that is no pgtail record is left alone (ErrForeign).
func Clear(path string) error {
	if err := checkDir(path, true); err != nil {
		return err
	}
	unlock, err := lock(path+".lock", true)
	if err != nil {
		return err
	}
	defer unlock()
	if err := replaceable(path); err != nil {
		return err
	}
	g := generation(path)
	return write(path, header{Version: Version, Generation: max(g, 0) + 1, Cleared: true}, nil)
}

// A Recorder saves the state of the run that holds the live lock.
type Recorder struct {
	path   string
	gen    int
	unlive func()
}

// Open takes the live lock. It returns nil and no error when another
// tracker holds it: that run must not record. It returns an error, and
// the run must not record, when the directory is unsafe or the file at
// path is not a pgtail record it may replace.
func Open(path string) (*Recorder, error) {
	if err := checkDir(path, true); err != nil {
		return nil, err
	}
	unlive, err := lock(path+".live", false)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if err := replaceable(path); err != nil {
		unlive()
		return nil, err
	}
	return &Recorder{path: path, gen: max(generation(path), 0), unlive: unlive}, nil
}

// Cleared reports whether a clear happened since the last Save or Open.
// The caller then resets its state and saves it.
func (r *Recorder) Cleared() bool {
	g := generation(r.path)
	if g > r.gen {
		r.gen = g
		return true
	}
	return false
}

// Save records st (a State, or a Snapshot of one taken under the
// caller's lock, so that encoding and writing do not hold it), unless a
// clear came first: then it reports cleared and writes nothing, and the
// caller resets and saves again.
func (r *Recorder) Save(st json.Marshaler) (cleared bool, err error) {
	body, err := json.Marshal(st)
	if err != nil {
		return false, err
	}
	unlock, err := lock(r.path+".lock", true)
	if err != nil {
		return false, err
	}
	defer unlock()
	if r.Cleared() {
		return true, nil
	}
	if err := replaceable(r.path); err != nil {
		return false, err
	}
	return false, write(r.path, header{Version: Version, Generation: r.gen}, body)
}

// Live reports whether a tracker holds the live lock of path: a run is
// reading a log and recording.
func Live(path string) bool {
	unlive, err := lock(path+".live", false)
	if err != nil {
		return errors.Is(err, syscall.EWOULDBLOCK)
	}
	unlive()
	return false
}

// Close releases the live lock.
func (r *Recorder) Close() {
	if r != nil && r.unlive != nil {
		r.unlive()
		r.unlive = nil
	}
}

// write replaces path atomically: a 0600 temp file in the same
// directory, synced, then renamed over it.
func write(path string, h header, body []byte) error {
	hb, err := json.Marshal(h)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // a no-op after the rename
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	hb = append(hb, '\n')
	if _, err := f.Write(append(hb, body...)); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// lock takes an exclusive flock on path, waiting if wait is set.
func lock(path string, wait bool) (unlock func(), err error) {
	f, err := openFile(path, os.O_RDWR|os.O_CREATE)
	if err != nil {
		return nil, err
	}
	how := syscall.LOCK_EX
	if !wait {
		how |= syscall.LOCK_NB
	}
	if err := syscall.Flock(int(f.Fd()), how); err != nil {
		f.Close()
		return nil, err
	}
	return func() { f.Close() }, nil
}
