package record

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"github.com/pgtail/pgtail/aggregate"
)

// Names calls each with every name (database, user, application) the
// recorded session has seen, for shell completion. It only reads: it opens the
// file read-only, takes no lock and creates nothing; the record is
// replaced by rename, so it always reads one whole version. It decodes
// the header and the state's "names" list and stops there, without
// reading the sessions and timeline that follow it. A missing or
// cleared record has no names and no error. On an error, each may
// have been called for the names before it.
func Names(path string, each func(aggregate.Names)) error {
	if off(path) {
		return nil
	}
	f, err := openFile(path, os.O_RDONLY) // no links, no FIFOs, only this user's file
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	br := bufio.NewReaderSize(io.LimitReader(f, MaxSize), 64<<10)
	line, err := br.ReadSlice('\n')
	if err == io.EOF && len(line) == 0 {
		return nil // an empty file
	}
	if err != nil && err != io.EOF {
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	h, _, err := split(path, line)
	if err != nil {
		return err
	}
	if h.Cleared {
		return nil
	}
	dec := json.NewDecoder(br)
	if tok, err := dec.Token(); err == io.EOF {
		return nil // a header alone
	} else if err != nil || tok != json.Delim('{') {
		return fmt.Errorf("%w: the state is not an object", ErrCorrupt)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
		if tok == "names" {
			rest := bufio.NewReaderSize(io.MultiReader(dec.Buffered(), br), 64<<10)
			n, ok := scanNames(rest, each)
			switch {
			case ok:
				return nil
			case n == 0:
				return slowNames(path, each) // another shape from the start
			}
			return fmt.Errorf("%w: the names list breaks off after %d names", ErrCorrupt, n)
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
	}
	return nil
}

// slowNames decodes the names list with encoding/json: for a list that
// scanNames does not take (a new key, another spelling).
func slowNames(path string, each func(aggregate.Names)) error {
	_, body, err := readRecord(path)
	if err != nil {
		return err
	}
	var st struct {
		Names []aggregate.Names `json:"names"`
	}
	if err := json.Unmarshal(body, &st); err != nil {
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	for _, n := range st.Names {
		each(n)
	}
	return nil
}

// scanNames reads `: [{"db":"…","user":"…","app":"…"},…]` exactly as
// encoding/json writes a []aggregate.Names, several times faster than
// decoding it (completion must answer within 100 ms on a big record).
// It calls each for every name as it reads it; at anything else it stops
// and reports not ok, and how many names it gave.
func scanNames(r *bufio.Reader, each func(aggregate.Names)) (n int, ok bool) {
	expect := func(want string) bool {
		for i := 0; i < len(want); i++ {
			if c, err := r.ReadByte(); err != nil || c != want[i] {
				return false
			}
		}
		return true
	}
	var buf []byte
	str := func() (string, bool) {
		buf = buf[:0]
		escaped := false
		for {
			c, err := r.ReadByte()
			if err != nil || c < 0x20 {
				return "", false
			}
			if c == '"' {
				break
			}
			if c == '\\' {
				escaped = true
				next, err := r.ReadByte()
				if err != nil {
					return "", false
				}
				buf = append(buf, c)
				c = next
			}
			buf = append(buf, c)
		}
		if !escaped && utf8.Valid(buf) {
			return string(buf), true
		}
		var s string
		err := json.Unmarshal(append(append([]byte{'"'}, buf...), '"'), &s)
		return s, err == nil
	}
	if !expect(":[") {
		return n, false
	}
	if c, err := r.ReadByte(); err != nil {
		return n, false
	} else if c == ']' {
		return 0, true
	} else if r.UnreadByte() != nil {
		return n, false
	}
	for {
		var name aggregate.Names
		var good bool
		if !expect(`{"db":"`) {
			return n, false
		}
		if name.DB, good = str(); !good || !expect(`,"user":"`) {
			return n, false
		}
		if name.User, good = str(); !good || !expect(`,"app":"`) {
			return n, false
		}
		if name.App, good = str(); !good || !expect("}") {
			return n, false
		}
		each(name)
		n++
		c, err := r.ReadByte()
		switch {
		case err != nil:
			return n, false
		case c == ']':
			return n, true
		case c != ',':
			return n, false
		}
	}
}
