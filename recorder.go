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
	failed   bool             // the last save failed (reported once)
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

// save records the state when it changed, about once a second, and at the
// end (final). The state is copied under the lock and encoded and written
// without it, so a save never holds up the watch stream. After a clear
// from another terminal the statistics start again from zero and the open
// sessions stay. An input in which no PostgreSQL entry was recognised
// (`true | pgtail connections`) leaves the record alone. A failed save (a
// full disk) keeps the live lock and is tried again at the next tick; it
// is reported once, and again if the final save fails too.
func (t *tracker) save(final bool) {
	r := &t.rec
	if r.rec == nil {
		return // only the main goroutine changes it
	}
	if final {
		t.mu.Lock()
	} else if !t.mu.TryLock() {
		return // the reader holds it, maybe stuck writing to stdout: next tick
	}
	force := false
	if r.rec.Cleared() {
		t.st, force = t.st.Cleared(), true // the open sessions stay
	}
	switch {
	case !force && !r.dirty && !(final && t.readSoFar().Entries > 0):
		t.mu.Unlock()
		return
	// A big state takes a while to write: keep the recording under a
	// tenth of the time, whatever "once a second" says.
	case !final && !force && time.Since(r.savedAt) < 10*r.saveCost:
		t.mu.Unlock()
		return
	}
	snap := t.st.Snapshot()
	r.dirty = false
	t.mu.Unlock()

	start := time.Now()
	cleared, err := r.rec.Save(snap)
	if cleared { // a clear came in between: start again from it
		t.mu.Lock()
		t.st = t.st.Cleared()
		snap = t.st.Snapshot()
		t.mu.Unlock()
		_, err = r.rec.Save(snap)
	}
	r.savedAt, r.saveCost = time.Now(), time.Since(start)

	t.mu.Lock() // stderr is shared with the reader
	defer t.mu.Unlock()
	switch {
	case err != nil:
		r.dirty = true // try again at the next tick
		if final {
			fmt.Fprintf(t.stderr, "pgtail: recording the session failed at the end: %v; the record keeps the last save\n", err)
		} else if !r.failed {
			fmt.Fprintf(t.stderr, "pgtail: recording the session failed: %v; trying again every second\n", err)
		}
		r.failed = true
	case r.failed:
		fmt.Fprintln(t.stderr, "pgtail: recording the session works again")
		r.failed = false
	}
}
