package main

import (
	"fmt"
	"io"
	"time"

	"github.com/pgtail/pgtail/aggregate"
	"github.com/pgtail/pgtail/record"
)

// A recorder keeps the record of a run that reads input: it saves the
// state when it changed, about once a second, and starts the state again
// from zero after a `pgtail connections clear` from another terminal.
type recorder struct {
	rec      *record.Recorder // nil: this run does not record
	cfg      aggregate.Config // of the empty state a clear starts from
	dirty    bool             // events applied since the last save
	savedAt  time.Time        // when the last save ended
	saveCost time.Duration    // how long it took
}

// open takes the record's live lock. A run that cannot take it (another
// tracker records) or cannot open the record just does not record.
func (r *recorder) open(path string, stderr io.Writer) {
	rec, err := record.Open(path)
	if err != nil {
		fmt.Fprintf(stderr, "pgtail: this run is not recorded: %v\n", err)
	}
	r.rec = rec
}

// close releases the live lock.
func (r *recorder) close() {
	if r.rec != nil {
		r.rec.Close()
	}
}

// recording reports whether this run records.
func (r *recorder) recording() bool { return r.rec != nil }

// changed notes that the state has events the record does not have yet.
func (r *recorder) changed() { r.dirty = true }

// save records the state when it changed or when force is set. After a
// clear from another terminal the tracker starts again from zero.
func (t *tracker) save(force bool) {
	if force {
		t.mu.Lock()
	} else if !t.mu.TryLock() {
		return // the reader holds it, maybe stuck writing to stdout: next tick
	}
	defer t.mu.Unlock()
	st, err := t.rec.save(t.st, force)
	t.st = st
	if err != nil {
		fmt.Fprintf(t.stderr, "pgtail: recording the session failed: %v\n", err)
	}
}

// save records st and returns the state to go on with: st, or an empty
// one after a clear. After a failed save the run records no more.
func (r *recorder) save(st *aggregate.State, force bool) (*aggregate.State, error) {
	if r.rec == nil {
		return st, nil
	}
	if r.rec.Cleared() {
		st, force = aggregate.New(r.cfg), true
	}
	if !r.dirty && !force {
		return st, nil
	}
	// A big state (many open sessions) takes a while to write: keep the
	// recording under a tenth of the time, whatever "once a second" says.
	if !force && time.Since(r.savedAt) < 10*r.saveCost {
		return st, nil
	}
	start := time.Now()
	defer func() { r.savedAt, r.saveCost = time.Now(), time.Since(start) }()
	cleared, err := r.rec.Save(st)
	if cleared {
		st = aggregate.New(r.cfg)
		_, err = r.rec.Save(st)
	}
	if err != nil {
		r.rec.Close()
		r.rec = nil
		return st, err
	}
	r.dirty = false
	return st, nil
}
