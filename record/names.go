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
		var names []aggregate.Names
		if tok == "names" {
			if err := dec.Decode(&names); err != nil {
				return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
			}
			return names, nil
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
	}
	return nil, nil
}
