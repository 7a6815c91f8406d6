package parse

import (
	"bytes"
	"io"
)

// The csvlog and jsonlog fast path.
//
// Every record of these formats is read (their counts are exact), and a
// record costs more than a stderr line that cannot be an event: finding its
// severity and message takes a look at most of it, and an event's record
// is split into fields. So the records are read on the pipeline's
// workers (pipeline.go), each block by one worker with a decoder of its
// own, as if every line were a record of its own: the line's counts
// (Stats.Entries, Skipped, Foreign, Localized) go into one byte of marks,
// its event into the block's evs. The decoder on the Reader's goroutine
// walks the lines in order and takes a line's marks and event where the
// line is indeed a whole record (a csvlog record not continued from the
// line above; any jsonlog object line); it reads the others itself, as
// on the serial path: csvlog records that span lines, the stderr-format
// lines a postmaster writes before its collector runs, and any line whose
// counts do not fit the marks. So the events, counts and line numbers are
// those of a line-by-line read, however the input is cut into blocks.

// Marks of a line read by a worker.
const (
	markOwn       = 1 << iota // the worker read the line as a record of its own; without it the decoder reads the line
	markEntry                 // Stats.Entries + 1
	markSkipped               // Stats.Skipped + 1
	markForeign               // Stats.Foreign + 1
	markLocalized             // Stats.Localized + 1
	markEvent                 // the line's event is the block's next in evs
)

// marksOf returns the marks of a line that a worker read with the counts
// st (from zero) and whether it read an event; 0, for the decoder to
// read the line again, when st does not fit the marks.
func marksOf(st Stats, event bool) uint8 {
	m := uint8(markOwn)
	if st.Entries == 1 {
		m, st.Entries = m|markEntry, 0
	}
	if st.Skipped == 1 {
		m, st.Skipped = m|markSkipped, 0
	}
	if st.Foreign == 1 {
		m, st.Foreign = m|markForeign, 0
	}
	if st.Localized == 1 {
		m, st.Localized = m|markLocalized, 0
	}
	if st != (Stats{}) {
		return 0
	}
	if event {
		m |= markEvent
	}
	return m
}

// A recordLine reads one line as a record of its own into ev and returns
// the line's marks; 0 leaves the line to the decoder. It costs most lines
// no more than a look at their severity and message: only a line that may
// be an event zeroes ev and its counts (marksOf).
type recordLine func(line []byte, ev *Event) uint8

// recordWorker returns the workers' function for the blocks of a record
// format: each line read by the recordLine that newLine returns for the
// worker (a decoder of its own), into the block's marks and evs.
func recordWorker(newLine func() recordLine) func(*pipeline) func(*block) {
	return func(*pipeline) func(*block) {
		line := newLine()
		return func(b *block) {
			b.cutLines()
			b.marks, b.evs = b.marks[:0], b.evs[:0]
			if cap(b.evs) < len(b.starts) {
				b.evs = make([]Event, 0, len(b.starts)) // at most one event per line: no growing
			}
			for i := range b.starts {
				// The event is read into the next slot of evs, taken only
				// for an event.
				m := line(b.line(i), &b.evs[:len(b.evs)+1][len(b.evs)])
				if m&markEvent != 0 {
					b.evs = b.evs[:len(b.evs)+1]
				}
				b.marks = append(b.marks, m)
			}
		}
	}
}

// cutLines sets b.starts and b.eols from b.buf.
func (b *block) cutLines() {
	b.starts, b.eols = b.starts[:0], b.eols[:0]
	for off := 0; off < len(b.buf); {
		b.starts = append(b.starts, int32(off))
		k := bytes.IndexByte(b.buf[off:], '\n')
		if k < 0 {
			b.eols = append(b.eols, 0)
			break
		}
		eol := uint8(1)
		if k > 0 && b.buf[off+k-1] == '\r' {
			eol = 2
		}
		b.eols = append(b.eols, eol)
		off += k + 1
	}
}

// line returns line i of b, without its end (trimEOL, by b.eols: cutLines).
func (b *block) line(i int) []byte {
	end := len(b.buf)
	if i+1 < len(b.starts) {
		end = int(b.starts[i+1])
	}
	return b.buf[b.starts[i] : end-int(b.eols[i])]
}

// recSource is the lineSource of the record fast path: every line of
// the blocks the workers read, in order.
type recSource struct {
	in   io.Reader
	st   *Stats
	work func(*pipeline) func(*block)

	pipe *pipeline
	blk  *block
	i    int    // the next line of blk
	k    int    // the next event of blk.evs
	mark uint8  // the marks of the line taken last
	ev   *Event // its event, if it has one

	events int // events the workers read and the decoder took, for tests
}

func (s *recSource) next() ([]byte, error) {
	if s.pipe == nil {
		s.pipe = startPipeline(s.in, s.work)
	}
	for s.blk == nil || s.i == len(s.blk.starts) {
		if s.blk != nil {
			if err := s.endBlock(); err != nil {
				return nil, err
			}
		}
		s.nextBlock()
	}
	return s.takeLine(), nil
}

func (s *recSource) peek() ([]byte, bool) {
	for s.blk != nil && s.i == len(s.blk.starts) {
		if s.blk.err != nil {
			return nil, false // the end: the next call to next reports it
		}
		s.endBlock()
		s.nextBlock()
	}
	if s.blk == nil {
		return nil, false
	}
	return s.line(s.i), true
}

func (s *recSource) take() {
	if s.blk != nil && s.i < len(s.blk.starts) {
		s.takeLine()
	}
}

// takeLine takes the next line of the block.
func (s *recSource) takeLine() []byte {
	line := s.line(s.i)
	s.mark, s.ev = s.blk.marks[s.i], nil
	if s.mark&markEvent != 0 {
		s.ev = &s.blk.evs[s.k]
		s.k++
	}
	s.i++
	s.st.Lines++
	return line
}

// line returns line i of the block, without its end. Its end is the
// one the worker measured (block.cutLines): the line's bytes are in the
// cache of the worker's core, and trimming the line here was 5.6 % of a
// csvlog storm's CPU profile.
func (s *recSource) line(i int) []byte { return s.blk.line(i) }

// skip takes, without handing them out, the lines of the block from the
// next one on that a worker read as records without an event and with no
// count but an entry (most lines): the decoder calls it where a record
// starts, before next.
func (s *recSource) skip() {
	b := s.blk
	if b == nil {
		return
	}
	i, entries := s.i, 0
	for ; i < len(b.marks); i++ {
		if m := b.marks[i]; m == markOwn|markEntry {
			entries++
		} else if m != markOwn {
			break
		}
	}
	s.st.Lines += i - s.i
	s.st.Entries += entries
	s.i = i
}

// read reports whether a worker read the line taken last as a record of
// its own; if so, it adds the line's counts to Stats and returns its
// event, if any (nil if none). The decoder calls it only where a record
// starts.
func (s *recSource) read() (*Event, bool) {
	m := s.mark
	if m&markOwn == 0 {
		return nil, false
	}
	st := s.st
	if m&markEntry != 0 {
		st.Entries++
	}
	if m&markSkipped != 0 {
		st.Skipped++
	}
	if m&markForeign != 0 {
		st.Foreign++
	}
	if m&markLocalized != 0 {
		st.Localized++
	}
	if s.ev != nil {
		s.events++
	}
	return s.ev, true
}

func (s *recSource) nextBlock() {
	s.blk = s.pipe.receive()
	s.i, s.k = 0, 0
}

// endBlock releases the current block; at the last, it returns io.EOF or
// the read error.
func (s *recSource) endBlock() error {
	b := s.blk
	s.st.Truncated += b.trunc
	s.blk = nil
	return s.pipe.release(b)
}

// preRead is the recSource of a decoder on the fast path, nil on the
// serial one.
func preRead(src lineSource) *recSource {
	rs, _ := src.(*recSource)
	return rs
}
