package record

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/pgtail/pgtail/aggregate"
)

// Names returns the names (database, user, application) the recorded
// session has seen, for shell completion. It only reads: it opens the
// file read-only, takes no lock and creates nothing; the record is
// replaced by rename, so it always reads one whole version. It decodes
// the header and the state's "names" list and stops there, without
// reading the sessions and timeline that follow it. A missing or
// cleared record has no names and no error.
func Names(path string) ([]aggregate.Names, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	line, err := br.ReadSlice('\n')
	if err == io.EOF && len(line) == 0 {
		return nil, nil // an empty file
	}
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	h, _, err := split(line)
	if err != nil {
		return nil, err
	}
	if h.Cleared {
		return nil, nil
	}
	dec := json.NewDecoder(br)
	if tok, err := dec.Token(); err == io.EOF {
		return nil, nil // a header alone
	} else if err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("%w: the state is not an object", ErrCorrupt)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
		if tok == "names" {
			rest := bufio.NewReaderSize(io.MultiReader(dec.Buffered(), br), 64<<10)
			if names, ok := scanNames(rest); ok {
				return names, nil
			}
			return slowNames(path)
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
	}
	return nil, nil
}

// slowNames decodes the names list with encoding/json: for a list that
// scanNames does not take (a new key, another spelling).
func slowNames(path string) ([]aggregate.Names, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	_, body, err := split(b)
	if err != nil {
		return nil, err
	}
	var st struct {
		Names []aggregate.Names `json:"names"`
	}
	if err := json.Unmarshal(body, &st); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return st.Names, nil
}

// scanNames reads `: [{"db":"…","user":"…","app":"…"},…]` exactly as
// encoding/json writes a []aggregate.Names, several times faster than
// decoding it (completion must answer within 100 ms on a big record).
// Anything else, it reports not ok.
func scanNames(r *bufio.Reader) (names []aggregate.Names, ok bool) {
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
		if !escaped {
			return string(buf), true
		}
		var s string
		err := json.Unmarshal(append(append([]byte{'"'}, buf...), '"'), &s)
		return s, err == nil
	}
	if !expect(":[") {
		return nil, false
	}
	if c, err := r.ReadByte(); err != nil {
		return nil, false
	} else if c == ']' {
		return []aggregate.Names{}, true
	} else if r.UnreadByte() != nil {
		return nil, false
	}
	for {
		var n aggregate.Names
		var good bool
		if !expect(`{"db":"`) {
			return nil, false
		}
		if n.DB, good = str(); !good || !expect(`,"user":"`) {
			return nil, false
		}
		if n.User, good = str(); !good || !expect(`,"app":"`) {
			return nil, false
		}
		if n.App, good = str(); !good || !expect("}") {
			return nil, false
		}
		names = append(names, n)
		c, err := r.ReadByte()
		switch {
		case err != nil:
			return nil, false
		case c == ']':
			return names, true
		case c != ',':
			return nil, false
		}
	}
}
