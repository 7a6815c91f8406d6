package record

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
)

// The state path is chosen by an environment variable and often lives in
// a directory other users can reach; pgtail may run as root. So nothing
// at the path is trusted: every file is opened without following a
// symbolic link and without blocking (a FIFO), and pgtail reads or
// replaces only a regular file that the running user owns, and replaces
// only a pgtail record.

// MaxSize bounds what Load reads: a record over it is not read (a link
// to /dev/zero, a runaway file) and counts as corrupt.
const MaxSize = 64 << 20

// maxHeader bounds the first line, the header.
const maxHeader = 4 << 10

// ErrOff is what Path returns when recording is turned off.
var ErrOff = errors.New("recording is off")

// ErrForeign reports a file at the state path that pgtail must not read
// or replace: not a regular file, not the running user's, or not a
// pgtail record. The run does not record; the file is left alone.
var ErrForeign = errors.New("not a pgtail record")

// ErrUnsafeDir reports a state directory other users can write to (or
// that another user owns): they could swap the files pgtail writes.
var ErrUnsafeDir = errors.New("unsafe state directory")

// uid is the user that must own the state files; a variable for tests.
var uid = os.Geteuid()

// off reports whether p turns recording off.
func off(p string) bool {
	return p == "off" || filepath.Clean(p) == os.DevNull
}

// checkDir checks the state directory, making it (0700) when create is
// set. A missing directory without create is no error: there is no
// record yet.
func checkDir(path string, create bool) error {
	dir := filepath.Dir(path)
	if create {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
	}
	fi, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) && !create {
		return nil
	}
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	if int(st.Uid) != uid && st.Uid != 0 {
		return fmt.Errorf("%w: %s belongs to uid %d, not to this user (uid %d)", ErrUnsafeDir, dir, st.Uid, uid)
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("%w: %s is writable by other users (mode %04o); make it private with chmod 700, or set PGTAIL_STATE to a file in a private directory",
			ErrUnsafeDir, dir, fi.Mode().Perm())
	}
	return nil
}

// openFile opens path without following a symbolic link and without
// blocking, and checks that it is a regular file owned by this user. A
// missing file gives os.ErrNotExist.
func openFile(path string, flag int) (*os.File, error) {
	f, err := os.OpenFile(path, flag|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0o600)
	if errors.Is(err, syscall.ELOOP) {
		return nil, fmt.Errorf("%w: %s is a symbolic link", ErrForeign, path)
	}
	if errors.Is(err, syscall.ENXIO) || errors.Is(err, syscall.EISDIR) {
		return nil, fmt.Errorf("%w: %s is not a regular file", ErrForeign, path)
	}
	if err != nil {
		return nil, err
	}
	if err := regular(f); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// regular checks that f is a regular file owned by this user.
func regular(f *os.File) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%w: %s is not a regular file (%s)", ErrForeign, f.Name(), kind(fi.Mode()))
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != uid {
		return fmt.Errorf("%w: %s belongs to uid %d, not to this user (uid %d)", ErrForeign, f.Name(), st.Uid, uid)
	}
	return nil
}

func kind(m os.FileMode) string {
	switch {
	case m&os.ModeDir != 0:
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a FIFO"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeCharDevice != 0:
		return "a character device"
	case m&os.ModeDevice != 0:
		return "a device"
	}
	return m.Type().String()
}

// readRecord reads the record at path, at most MaxSize bytes. A missing
// file gives os.ErrNotExist; a file pgtail must not touch, ErrForeign.
func readRecord(path string) (header, []byte, error) {
	f, err := openFile(path, os.O_RDONLY)
	if err != nil {
		return header{}, nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return header{}, nil, err
	}
	h, body, err := split(path, b)
	if err == nil && len(b) > MaxSize {
		err = fmt.Errorf("%w: larger than %d MiB", ErrCorrupt, MaxSize>>20)
	}
	return h, body, err
}

// readHeader reads just the header of the record at path.
func readHeader(path string) (header, error) {
	f, err := openFile(path, os.O_RDONLY)
	if err != nil {
		return header{}, err
	}
	defer f.Close()
	line, err := bufio.NewReaderSize(io.LimitReader(f, maxHeader), maxHeader).ReadSlice('\n')
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull { // a long line is no header
		return header{}, err
	}
	h, _, err := split(path, line)
	return h, err
}

// split parses the header line of b. A file that does not start with a
// pgtail header is foreign; one of another version, or empty, is a
// pgtail record that may be replaced (ErrCorrupt).
func split(path string, b []byte) (header, []byte, error) {
	var h header
	if len(b) == 0 {
		return h, nil, fmt.Errorf("%w: the file is empty", ErrCorrupt)
	}
	line, body, _ := bytes.Cut(b, []byte("\n"))
	if !isHeader(line, &h) {
		return h, nil, fmt.Errorf("%w: %s holds something else; pgtail leaves it alone", ErrForeign, path)
	}
	if h.Version != Version {
		return h, nil, fmt.Errorf("%w: format version %d", ErrCorrupt, h.Version)
	}
	return h, body, nil
}

// isHeader reports whether line is a pgtail header: a JSON object with
// a version and a generation, and nothing else.
func isHeader(line []byte, h *header) bool {
	var probe struct {
		header
		Version    *int `json:"version"`
		Generation *int `json:"generation"`
	}
	d := json.NewDecoder(bytes.NewReader(line))
	d.DisallowUnknownFields()
	if d.Decode(&probe) != nil || probe.Version == nil || probe.Generation == nil || *probe.Version < 1 {
		return false
	}
	*h = header{Version: *probe.Version, Generation: *probe.Generation, Cleared: probe.Cleared}
	return true
}

// replaceable checks that path may be replaced: missing, or a regular
// file of this user that holds a pgtail record (of any version, or cut
// short).
func replaceable(path string) error {
	_, err := readHeader(path)
	if err == nil || errors.Is(err, os.ErrNotExist) || errors.Is(err, ErrCorrupt) {
		return nil
	}
	return err
}
