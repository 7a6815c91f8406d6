package parse

import (
	"bytes"
	"encoding/binary"
	"io"
	"runtime"
	"strings"
)

// The stderr fast path.
//
// A connection event is a few lines in a hundred in a busy log, so the
// Reader does not look at every line. A reader goroutine cuts the input into
// blocks of whole lines; scan workers search each block for the few byte
// strings without which no line can be an event (the anchors) and count its
// lines; Read parses only the lines that hold an anchor, with the same
// parseLine as before, in input order. Blocks go to the workers round-robin
// and come back in the same order, so the events, their line numbers and
// the prefix detection are exactly those of a line-by-line read.
//
// Until the first log entry is recognised, Read still parses every line, so
// the "no log entry recognised" hint stays exact (see Stats).

// anchors are byte strings at least one of which every event line holds:
// the texts of the event messages (see classifyLog, classifyFatal and
// resets in message.go), cut where a variable part starts. A new event
// message must be covered here: TestAnchorsCoverEvents checks every
// message the classifier knows.
var anchors = []string{
	"connection received: ",
	"connection ready: ", // PG 18 setup_durations
	"user=",              // "connection authorized: user=", "disconnection: session time: … user="
	"FATAL:  ",
	"starting PostgreSQL ",
	"database system is shut down",
	"received immediate shutdown request",
	"terminating any other active server processes",
	"all server processes terminated; reinitializing",
	"database system was interrupted; last known up at ",
	"database system was not properly shut down; automatic recovery in progress",
}

// highIndex returns the first index >= from in buf of an anchor with a
// non-ASCII byte, or len(buf). It looks for any byte >= 0x80, eight at a
// time, then for the anchors whose first such byte it is.
func highIndex(buf []byte, from int) int {
	i := from
	for {
		for i+8 <= len(buf) && binary.LittleEndian.Uint64(buf[i:])&0x8080808080808080 == 0 {
			i += 8
		}
		for i < len(buf) && buf[i] < 0x80 {
			i++
		}
		if i >= len(buf) {
			return len(buf)
		}
		for _, h := range local.high[buf[i]] {
			p := i - h.j
			if p >= from && p+len(h.a) <= len(buf) && string(buf[p:p+len(h.a)]) == h.a {
				return p
			}
		}
		i++
	}
}

// Translated events (localize.go) have anchors too (local.ascii,
// local.high): a literal text of each. Those with a non-ASCII byte are
// found by one pass for any such byte (highIndex), rare in English logs;
// the others are chosen to hold a byte the English anchors need anyway
// ('=', 'v', 'y', 'Q', 'F'), so that an English log pays a few more
// compares, not more passes.

const (
	blockSize  = 256 << 10 // a block's usual size: stays in a core's L2 cache
	maxBlocks  = 8         // blocks in flight: bounds memory to ~2 MiB (plus one long line)
	maxWorkers = 4
)

// A block is a run of whole lines of the input.
type block struct {
	buf   []byte // whole lines; only the input's last line may lack its '\n'
	lines int    // lines in buf
	cands []cand // lines that may hold an event, in order
	trunc int    // lines longer than MaxLine, cut to MaxLine
	err   error  // set on the last block: io.EOF or the read error

	entries, skipped int // Stats.Entries and Skipped of all lines of buf
}

// A cand is a line of a block that holds an anchor.
type cand struct {
	off  int32 // where the line starts in buf
	line int32 // its 0-based line number in the block
}

// A finder searches a block for the anchors that hold one byte, by that
// byte: bytes.IndexByte runs at memory speed, where bytes.Index slows down
// on a first byte as common as the 'c' of "connection". Each anchor is
// checked where its first copy of the byte would be.
type finder struct {
	high bool // the finder of the anchors with a non-ASCII byte (highIndex)
	c    byte
	as   []string // anchors holding c
	js   []int    // where c first is in each
}

// newFinders chooses the bytes to search for from their frequency in
// sample (a block of the log at hand): a small set of bytes such that
// every anchor holds one of them, each costing a pass over the block plus
// a check per occurrence. A greedy set cover; the choice only changes
// speed, never what is found.
func newFinders(sample []byte) []finder {
	var freq [256]int
	for _, c := range sample {
		freq[c]++
	}
	var eng [][]string
	for _, a := range anchors {
		eng = append(eng, []string{a})
	}
	fs := cover(nil, eng, &freq, len(sample))
	// The translated events after the English ones: by the finders chosen
	// for English when one of their texts holds the byte, so that an
	// English log pays no more passes for them.
	var rest [][]string
	for _, g := range local.ascii {
		if !addToFinder(fs, g) {
			rest = append(rest, g)
		}
	}
	fs = cover(fs, rest, &freq, len(sample))
	return append(fs, finder{high: true})
}

// addToFinder adds to the first finder of fs whose byte one of the texts
// of g holds that text, and reports whether there was one.
func addToFinder(fs []finder, g []string) bool {
	for i := range fs {
		for _, a := range g {
			if j := strings.IndexByte(a, fs[i].c); j >= 0 {
				fs[i].as, fs[i].js = append(fs[i].as, a), append(fs[i].js, j)
				return true
			}
		}
	}
	return false
}

// cover adds to fs finders for every group of anchors (any one text of a
// group finds it), greedily: a byte found by few passes and checks.
func cover(fs []finder, groups [][]string, freq *[256]int, size int) []finder {
	// One pass over a block costs about as much as this many checks.
	pass := size/160 + 1
	covered := make([]bool, len(groups))
	holds := func(g []string, c byte) bool {
		for _, a := range g {
			if strings.IndexByte(a, c) >= 0 {
				return true
			}
		}
		return false
	}
	for {
		best, bestGain := -1, 0.0
		for c := 0; c < 256; c++ {
			n := 0
			for i, g := range groups {
				if !covered[i] && holds(g, byte(c)) {
					n++
				}
			}
			if n == 0 {
				continue
			}
			if g := float64(n) / float64(pass+freq[c]); g > bestGain {
				best, bestGain = c, g
			}
		}
		if best < 0 {
			return fs
		}
		fs = append(fs, finder{c: byte(best)})
		for i, g := range groups {
			if !covered[i] && addToFinder(fs[len(fs)-1:], g) {
				covered[i] = true
			}
		}
	}
}

// index returns the first index >= from of one of f's anchors in buf, or len(buf).
func (f *finder) index(buf []byte, from int) int {
	if f.high {
		return highIndex(buf, from)
	}
	for i := from; i < len(buf); i++ {
		k := bytes.IndexByte(buf[i:], f.c)
		if k < 0 {
			break
		}
		i += k
		for n, a := range f.as {
			p := i - f.js[n]
			if p >= from && p+len(a) <= len(buf) && buf[p] == a[0] && buf[p+len(a)-1] == a[len(a)-1] &&
				string(buf[p:p+len(a)]) == a {
				return p
			}
		}
	}
	return len(buf)
}

// scan finds the candidate lines of b and counts its lines.
func (b *block) scan(fs []finder, exact bool) {
	buf := b.buf
	b.cands = b.cands[:0]
	var next [256]int // by finder: at most one per byte
	for i := range fs {
		next[i] = fs[i].index(buf, 0)
	}
	pos, line := 0, 0 // lines before pos are counted in line
	for {
		m := len(buf)
		for _, n := range next[:len(fs)] {
			m = min(m, n)
		}
		if m == len(buf) {
			break
		}
		start := lineStart(buf, pos, m)
		line += bytes.Count(buf[pos:start], nl)
		end := len(buf)
		if k := bytes.IndexByte(buf[m:], '\n'); k >= 0 {
			end = m + k + 1
		}
		if buf[start] != '\t' { // continuation lines never hold an event
			b.cands = append(b.cands, cand{int32(start), int32(line)})
		}
		line++
		pos = end
		for i, n := range next[:len(fs)] {
			if n < end {
				next[i] = fs[i].index(buf, end)
			}
		}
	}
	line += bytes.Count(buf[pos:], nl)
	if pos < len(buf) && buf[len(buf)-1] != '\n' {
		line++
	}
	b.lines = line
	b.entries, b.skipped = 0, 0
	if exact {
		b.entries, b.skipped = countEntries(buf)
	}
}

// countEntries counts the log entries and the skipped lines of buf exactly
// as parseLine does, line by line (TestFastPathSameAsSerial checks it).
func countEntries(buf []byte) (entries, skipped int) {
	for len(buf) > 0 {
		line := buf
		if k := bytes.IndexByte(buf, '\n'); k >= 0 {
			line, buf = buf[:k], buf[k+1:]
		} else {
			buf = nil
		}
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		if len(line) == 0 || line[0] == '\t' {
			continue
		}
		i := bytes.Index(line, colon2)
		if i < 0 {
			skipped++
			continue
		}
		sev, _ := severityAt(line, i)
		switch sev {
		case sevNone:
			skipped++
		case sevDetail:
		default:
			entries++
		}
	}
	return entries, skipped
}

var nl = []byte{'\n'}

// lineStart returns the start of the line that holds buf[m], knowing that
// a line starts at pos <= m. bytes.LastIndexByte is a plain loop, so it
// looks back a line's usual length first.
func lineStart(buf []byte, pos, m int) int {
	for w := 256; ; w *= 4 {
		lo := max(pos, m-w)
		if k := bytes.LastIndexByte(buf[lo:m], '\n'); k >= 0 {
			return lo + k + 1
		}
		if lo == pos {
			return pos
		}
	}
}

// pipeline runs the reader goroutine and the scan workers of one Reader.
// If Read is abandoned before the end of the input, its goroutines stay
// blocked until the program exits.
type pipeline struct {
	free chan *block
	in   []chan *block
	out  []chan *block
	seq  int // blocks received by Read
}

func (r *Reader) startPipeline() {
	w := min(max(runtime.GOMAXPROCS(0), 1), maxWorkers)
	p := &pipeline{free: make(chan *block, maxBlocks)}
	for i := 0; i < maxBlocks; i++ {
		p.free <- &block{} // buffers are allocated on first use
	}
	exact := r.exact
	for i := 0; i < w; i++ {
		in, out := make(chan *block, 1), make(chan *block, maxBlocks)
		p.in, p.out = append(p.in, in), append(p.out, out)
		go func() {
			var fs []finder
			for k := 0; ; k++ {
				b, ok := <-in
				if !ok {
					break
				}
				if k%64 == 0 || len(fs) == 0 {
					fs = newFinders(b.buf) // and again every 16 MB
				}
				b.scan(fs, exact)
				out <- b
			}
			close(out)
		}()
	}
	r.pipe = p
	go p.read(r.br)
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

// readFast is Read for stderr logs.
func (r *Reader) readFast(ev *Event) error {
	if r.pipe == nil {
		r.startPipeline()
	}
	for {
		if r.blk == nil {
			r.nextBlock()
		}
		b := r.blk
		if r.stats.Entries == 0 {
			// Every line, until the first log entry is recognised.
			for r.off < len(b.buf) {
				line := r.lineAt(r.off)
				r.off += len(line)
				r.stats.Lines++
				r.blkLine++
				ok := r.parse(line, ev)
				if r.blk != b {
					// A continuation line was taken from the next block,
					// which is current now; its worker counted it.
					if ok {
						r.afterEvent(ev)
						return nil
					}
					break
				}
				if r.stats.Entries > 0 {
					// The rest of this block is counted by endBlock.
					r.counted = r.off
				}
				if ok {
					r.afterEvent(ev)
					return nil
				}
				if r.stats.Entries > 0 {
					break
				}
			}
		}
		// Then only the candidate lines; the block's counts cover them.
		for r.ci < len(b.cands) {
			c := b.cands[r.ci]
			r.ci++
			if int(c.off) < r.off {
				continue // read line by line above
			}
			line := r.lineAt(int(c.off))
			r.off = int(c.off) + len(line)
			r.stats.Lines += int(c.line) + 1 - r.blkLine
			r.blkLine = int(c.line) + 1
			e, s := r.stats.Entries, r.stats.Skipped
			r.endE, r.endS = 0, 0
			ok := r.parse(line, ev)
			// With exact counts the block's counts cover this line; a
			// continuation taken from the next block ended this one and
			// added its counts. Without, the candidate lines count.
			if r.exact {
				r.stats.Entries, r.stats.Skipped = e+r.endE, s+r.endS
			}
			if ok {
				r.afterEvent(ev)
				return nil
			}
			if r.blk != b {
				break // a continuation moved on to the next block
			}
		}
		if r.blk != b {
			continue
		}
		if err := r.endBlock(); err != nil {
			return err
		}
	}
}

// lineAt returns the line of the current block that starts at off, with its end.
func (r *Reader) lineAt(off int) []byte {
	line := r.blk.buf[off:]
	if k := bytes.IndexByte(line, '\n'); k >= 0 {
		line = line[:k+1]
	}
	return line
}

func (r *Reader) nextBlock() {
	p := r.pipe
	r.blk = <-p.out[p.seq%len(p.out)]
	p.seq++
	r.off, r.ci, r.blkLine = 0, 0, 0
	r.counted = -1
	if r.stats.Entries > 0 {
		r.counted = 0 // the worker counted every line of it
	}
}

// endBlock accounts for the rest of the current block and releases it.
func (r *Reader) endBlock() error {
	b := r.blk
	r.stats.Lines += b.lines - r.blkLine
	r.stats.Truncated += b.trunc
	switch {
	case r.counted == 0:
		r.endE, r.endS = b.entries, b.skipped
	case r.counted > 0:
		if r.exact {
			r.endE, r.endS = countEntries(b.buf[r.counted:])
		} else {
			r.endE, r.endS = 0, 0
		}
	default:
		r.endE, r.endS = 0, 0
	}
	r.stats.Entries += r.endE
	r.stats.Skipped += r.endS
	r.blk = nil
	if b.err != nil {
		return b.err
	}
	r.pipe.free <- b
	return nil
}

// afterEvent reads what belongs to the event ev after its line, as Read
// does on the line-by-line path.
func (r *Reader) afterEvent(ev *Event) {
	if ev.Kind == Failure && strings.HasSuffix(ev.Reason, "authentication failed") {
		r.fastDetail(ev)
	}
}

// fastDetail is detail for the fast path: it looks at the line after an
// authentication failure, in this block or the next, and takes it as the
// failure's DETAIL or leaves it to be parsed as usual.
func (r *Reader) fastDetail(ev *Event) {
	if r.off == len(r.blk.buf) {
		if r.blk.err != nil {
			return // the end: the next Read reports it
		}
		if err := r.endBlock(); err != nil {
			return
		}
		r.nextBlock()
	}
	line := r.lineAt(r.off)
	if r.takeDetail(ev, trimEOL(line)) {
		// Consumed, as detail does; a DETAIL line counts as neither
		// entry nor skipped, so the block's counts stay right.
		r.off += len(line)
		r.stats.Lines++
		r.blkLine++
	}
}

// fastContinuation is continuation for the fast path: the line after the
// one being parsed, in this block or the next, is taken if it starts with
// a TAB (the French disconnection's second line) and left otherwise.
func (r *Reader) fastContinuation() ([]byte, bool) {
	if r.off == len(r.blk.buf) {
		if r.blk.err != nil {
			return nil, false
		}
		if err := r.endBlock(); err != nil {
			return nil, false
		}
		r.nextBlock()
	}
	line := trimEOL(r.lineAt(r.off))
	if len(line) == 0 || line[0] != '\t' {
		return nil, false
	}
	r.off += len(r.lineAt(r.off))
	r.stats.Lines++
	r.blkLine++
	return append([]byte(nil), line[1:]...), true
}

// parse is parseLine on a line with its end, into a fresh Event.
func (r *Reader) parse(line []byte, ev *Event) bool {
	var e Event
	if !r.parseLine(trimEOL(line), &e) {
		return false
	}
	*ev = e
	return true
}

// trimEOL cuts the line end: "\n" or "\r\n".
func trimEOL(line []byte) []byte {
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
		if n > 1 && line[n-2] == '\r' {
			line = line[:n-2]
		}
	}
	return line
}
