package parse

import (
	"bytes"
	"io"
	"runtime"
	"sync/atomic"
)

// blockSource is the lineSource of the stderr fast path (scan.go): the
// lines of the blocks that the pipeline's workers have scanned. Until the
// first entry is recognised it hands out every line; from there on only
// the candidate lines, counting the others itself (Stats.Lines, and
// with Options.ExactCounts Entries and Skipped from the workers' counts).
// peek and take see every line, in this block or the next.
type blockSource struct {
	in    io.Reader
	st    *Stats
	exact bool // Options.ExactCounts

	pipe    *pipeline // started by the first next
	blk     *block    // the block being read
	off     int       // where the next line of blk starts
	ci      int       // next candidate of blk
	blkLine int       // lines of blk counted in Stats.Lines
	counted int       // where endBlock counts blk's lines from (Entries/Skipped); -1: every line is handed out
	ev      int32     // the worker's event of the line next returned last (in blk.evs); -1: none
}

func (s *blockSource) next() ([]byte, error) {
	if s.pipe == nil {
		s.start()
	}
	s.ev = -1
	for {
		if s.blk == nil {
			s.nextBlock()
		}
		b := s.blk
		if s.counted < 0 && s.st.Entries > 0 {
			s.counted = s.off // the first entry is recognised
		}
		if s.counted < 0 {
			if s.off < len(b.buf) {
				return s.takeAt(s.off), nil
			}
		} else {
			for s.ci < len(b.cands) {
				c := &b.cands[s.ci]
				s.ci++
				if int(c.off) < s.off || c.ev < 0 && b.buf[c.off] == '\t' {
					continue // taken already (joined to the entry above), or a continuation: no event
				}
				s.st.Lines += int(c.line) - s.blkLine
				s.blkLine = int(c.line)
				s.ev = c.ev // the worker's event of this line, if it read one
				return s.takeCand(c), nil
			}
		}
		if err := s.endBlock(); err != nil {
			return nil, err
		}
	}
}

// event returns the event a worker read from the line next returned
// last, if it read it with prefix p (the decoder's current prefix, which
// it also publishes for the workers' next blocks); nil if none.
func (s *blockSource) event(p *prefix) *Event {
	if p != nil && s.pipe.pfx.Load() != p {
		s.pipe.pfx.Store(p)
	}
	if s.ev < 0 || p == nil || s.blk.pfx != p {
		return nil
	}
	return &s.blk.evs[s.ev]
}

// buffered reports whether next returns a line of the current block
// whose event a worker read with prefix p, so that event returns it: no
// wait for a block, and no peek after it (a worker reads LOG lines only,
// whose events look at no line after theirs).
func (s *blockSource) buffered(p *prefix) bool {
	b := s.blk
	if b == nil || s.counted < 0 || s.ci >= len(b.cands) || p == nil || b.pfx != p {
		return false
	}
	c := &b.cands[s.ci]
	return c.ev >= 0 && int(c.off) >= s.off
}

func (s *blockSource) peek() ([]byte, bool) {
	for s.blk != nil && s.off == len(s.blk.buf) {
		if s.blk.err != nil {
			return nil, false // the end: the next call to next reports it
		}
		s.endBlock()
		s.nextBlock()
	}
	if s.blk == nil {
		return nil, false
	}
	return trimEOL(s.lineAt(s.off)), true
}

func (s *blockSource) take() {
	if s.blk != nil && s.off < len(s.blk.buf) {
		s.takeOpen(s.off)
	}
}

// takeOpen takes the line at off, which the stderr decoder is to read
// whole. With exact counts a line the worker counted (not a candidate)
// is uncounted again: the decoder counts it, or it is part of the entry
// above.
func (s *blockSource) takeOpen(off int) []byte {
	line := s.takeAt(off)
	if s.exact && s.counted >= 0 && off >= s.counted && !s.isCand(off) {
		var e, k int
		sev, _, _ := lineSeverity(line)
		sev.count(&e, &k)
		s.st.Entries -= e
		s.st.Skipped -= k
	}
	return line
}

// isCand reports whether the line at off, not before the last candidate
// handed out, is a candidate of the block.
func (s *blockSource) isCand(off int) bool {
	c := s.blk.cands
	i := max(s.ci-1, 0)
	for i < len(c) && int(c[i].off) < off {
		i++
	}
	return i < len(c) && int(c[i].off) == off
}

// takeCand takes a candidate line by where the worker found it to end,
// without reading its bytes: the decoder reads them only if the worker
// did not read the line's event. The bytes are in the cache of the
// worker's core; reading each line again on this one (to find its end)
// cost 9 % more CPU on a connection storm on two cores. A candidate is
// never counted by the worker, so there is nothing to uncount (takeOpen).
func (s *blockSource) takeCand(c *cand) []byte {
	s.off = int(c.end) + int(c.eol)
	s.st.Lines++
	s.blkLine++
	return s.blk.buf[c.off:c.end]
}

// takeAt takes the line of blk that starts at off.
func (s *blockSource) takeAt(off int) []byte {
	line := s.lineAt(off)
	s.off = off + len(line)
	s.st.Lines++
	s.blkLine++
	return trimEOL(line)
}

// lineAt returns the line of the current block that starts at off, with its end.
func (s *blockSource) lineAt(off int) []byte {
	line := s.blk.buf[off:]
	if k := bytes.IndexByte(line, '\n'); k >= 0 {
		line = line[:k+1]
	}
	return line
}

func (s *blockSource) nextBlock() {
	s.blk = s.pipe.receive()
	s.off, s.ci, s.blkLine = 0, 0, 0
	s.counted = -1
	if s.st.Entries > 0 {
		s.counted = 0 // the worker counted every line of it
	}
}

// endBlock accounts for the rest of the current block and releases it.
func (s *blockSource) endBlock() error {
	b := s.blk
	s.st.Lines += b.lines - s.blkLine
	s.st.Truncated += b.trunc
	if s.exact && s.counted >= 0 {
		e, k := b.entries, b.skipped
		if s.counted > 0 {
			e, k = b.count(s.counted)
		}
		s.st.Entries += e
		s.st.Skipped += k
	}
	s.blk = nil
	return s.pipe.release(b)
}

// pipeline runs the reader goroutine and the scan workers of one Reader.
// If Read is abandoned before the end of the input, its goroutines stay
// blocked until the program exits.
type pipeline struct {
	free chan *block
	in   []chan *block
	out  []chan *block
	seq  int                    // blocks received (receive)
	pfx  atomic.Pointer[prefix] // the prefix the workers read events with (blockSource.event)
}

func (s *blockSource) start() {
	s.pipe = startPipeline(s.in, func(p *pipeline) func(*block) {
		var pp preParser
		return func(b *block) {
			b.scan()
			b.pfx = p.pfx.Load()
			pp.preParse(b)
		}
	})
}

// receive returns the next block in input order, scanned.
func (p *pipeline) receive() *block {
	b := <-p.out[p.seq%len(p.out)]
	p.seq++
	return b
}

// release hands b back to the reader goroutine once its lines are taken;
// for the last block it returns io.EOF or the read error instead.
func (p *pipeline) release(b *block) error {
	if b.err != nil {
		return b.err
	}
	p.free <- b
	return nil
}

// startPipeline starts the reader goroutine over in and the workers, each
// running on every block it gets the function that work returns for it
// (a worker's own state in its closure).
func startPipeline(in io.Reader, work func(*pipeline) func(*block)) *pipeline {
	w := min(max(runtime.GOMAXPROCS(0), 1), maxWorkers)
	p := &pipeline{free: make(chan *block, maxBlocks)}
	for i := 0; i < maxBlocks; i++ {
		p.free <- &block{} // buffers are allocated on first use
	}
	for i := 0; i < w; i++ {
		in, out := make(chan *block, 1), make(chan *block, maxBlocks)
		p.in, p.out = append(p.in, in), append(p.out, out)
		do := work(p)
		go func() {
			for b := range in {
				do(b)
				out <- b
			}
			close(out)
		}()
	}
	go p.read(in)
	return p
}

// read cuts src into blocks of whole lines and hands them to the workers
// in turn. A block is handed on when it is full, and also as soon as a read
// returns less than asked, so a line written to a pipe is parsed at once
// (watch mode) instead of waiting for a full block.
func (p *pipeline) read(src io.Reader) {
	var carry []byte // the start of a line that continues in the next read
	skip := false    // dropping the rest of a line longer than MaxLine
	for seq := 0; ; seq++ {
		b := <-p.free
		buf := b.buf
		if buf == nil {
			buf = make([]byte, 0, blockSize)
		}
		buf = append(buf[:0], carry...)
		carry = carry[:0]
		b.trunc, b.err = 0, nil
		hasNL := false // carry holds no '\n'
		for {
			lim := min(cap(buf), MaxLine)
			if len(buf) == lim {
				if hasNL {
					break
				}
				if lim == MaxLine {
					// A line longer than MaxLine: keep MaxLine bytes of it.
					buf = append(buf, '\n')
					b.trunc++
					skip = true
					break
				}
				buf = append(make([]byte, 0, min(2*cap(buf), MaxLine+1)), buf...)
				continue
			}
			n, err := src.Read(buf[len(buf):lim])
			got := buf[len(buf) : len(buf)+n]
			if skip && n > 0 {
				if k := bytes.IndexByte(got, '\n'); k < 0 {
					n = 0 // still inside the long line
				} else {
					skip = false
					n = copy(got, got[k+1:])
				}
			}
			wasShort := n < lim-len(buf)
			if n > 0 && !hasNL {
				hasNL = bytes.IndexByte(buf[len(buf):len(buf)+n], '\n') >= 0
			}
			buf = buf[:len(buf)+n]
			if err != nil {
				if err != io.EOF && len(buf) > 0 && buf[len(buf)-1] != '\n' {
					// A read error drops the partial line, as ReadSlice does.
					buf = buf[:bytes.LastIndexByte(buf, '\n')+1]
				}
				b.buf, b.err = buf, err
				p.in[seq%len(p.in)] <- b
				for _, in := range p.in {
					close(in)
				}
				return
			}
			if wasShort && hasNL {
				break
			}
		}
		k := bytes.LastIndexByte(buf, '\n') + 1
		carry = append(carry, buf[k:]...)
		b.buf = buf[:k]
		p.in[seq%len(p.in)] <- b
	}
}
