package parse

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strings"
)

// The stderr fast path.
//
// A connection event is a few lines in a hundred in a busy log, so the
// decoder does not parse every line. A reader goroutine cuts the input
// into blocks of whole lines; scan workers search each block for the few
// byte strings without which no line can be an event (the anchors) and
// for the lines without a severity (which may open an entry whose names
// hold a newline: block.walk), and count its lines; the block source
// (pipeline.go) hands the stderr decoder only those lines, in input order.
// Blocks go to the workers round-robin and come back in the same order,
// so the events, their line numbers and the prefix detection are exactly
// those of a line-by-line read, however the input is cut into reads.
//
// Until the first log entry is recognised, the block source hands out
// every line, so the "no log entry recognised" hint stays exact (see
// Stats).

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
		for i+32 <= len(buf) && (binary.LittleEndian.Uint64(buf[i:])|binary.LittleEndian.Uint64(buf[i+8:])|
			binary.LittleEndian.Uint64(buf[i+16:])|binary.LittleEndian.Uint64(buf[i+24:]))&0x8080808080808080 == 0 {
			i += 32
		}
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
	spare []cand // cands' other buffer (walk)
	trunc int    // lines longer than MaxLine, cut to MaxLine
	err   error  // set on the last block: io.EOF or the read error

	entries, skipped int // Stats.Entries and Skipped of all lines of buf but the candidates

	// The events the worker read from candidate lines (see preParse),
	// with the prefix they were read with.
	pfx *prefix
	evs []Event

	// The record fast path (records.go): where each line starts and its
	// marks.
	starts []int32
	marks  []uint8
}

// A cand is a line of a block that holds an anchor.
type cand struct {
	off  int32 // where the line starts in buf
	line int32 // its 0-based line number in the block
	ev   int32 // its event in evs, read by the worker; -1: none
}

// A finder searches a block for the anchors that hold one byte, by that
// byte: bytes.IndexByte runs at memory speed, where bytes.Index slows down
// on a first byte as common as the 'c' of "connection". Each anchor is
// checked where its first copy of the byte would be.
type finder struct {
	high  bool // the finder of the anchors with a non-ASCII byte (highIndex)
	c     byte
	as    []string   // anchors holding c
	js    []int      // where c first is in each
	alsos [][][]byte // per anchor, the other texts its line must hold (a translated event's)
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
// of group g holds that text, the others to be checked on its line, and
// reports whether there was one.
func addToFinder(fs []finder, g []string) bool {
	for i := range fs {
		for k, a := range g {
			if j := strings.IndexByte(a, fs[i].c); j >= 0 {
				var also [][]byte
				for _, t := range slices.Concat(g[:k], g[k+1:]) {
					also = append(also, []byte(t))
				}
				fs[i].as, fs[i].js, fs[i].alsos = append(fs[i].as, a), append(fs[i].js, j), append(fs[i].alsos, also)
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
				string(buf[p:p+len(a)]) == a && lineHolds(buf, p, f.alsos[n]) {
				return p
			}
		}
	}
	return len(buf)
}

// lineHolds reports whether the line of buf that holds buf[p] holds every
// text of also.
func lineHolds(buf []byte, p int, also [][]byte) bool {
	if len(also) == 0 {
		return true
	}
	start := bytes.LastIndexByte(buf[:p], '\n') + 1
	end := len(buf)
	if k := bytes.IndexByte(buf[p:], '\n'); k >= 0 {
		end = p + k
	}
	for _, a := range also {
		if !bytes.Contains(buf[start:end], a) {
			return false
		}
	}
	return true
}

// scan finds the candidate lines of b, counts its lines and, for exact
// counts, its entries and skipped lines.
func (b *block) scan(fs []finder) {
	buf := b.buf
	b.cands = b.cands[:0]
	var next [256]int // by finder: at most one per byte
	for i := range fs {
		next[i] = fs[i].index(buf, 0)
	}
	for {
		m := len(buf)
		for _, n := range next[:len(fs)] {
			m = min(m, n)
		}
		if m == len(buf) {
			break
		}
		// An anchor at m: its line is a candidate (walk finds where it
		// starts); the line's other anchors are not looked at.
		end := len(buf)
		if k := bytes.IndexByte(buf[m:], '\n'); k >= 0 {
			end = m + k + 1
		}
		b.cands = append(b.cands, cand{int32(m), -1, -1})
		for i, n := range next[:len(fs)] {
			if n < end {
				next[i] = fs[i].index(buf, end)
			}
		}
	}
	b.entries, b.skipped = b.walk()
}

// walk turns the anchors scan found (cands, by the anchor's offset) into
// the lines that hold them, counts b's lines, makes every line without a
// severity a candidate too, and returns the Stats.Entries and Skipped of
// the lines that are not candidates (count(0)). The decoder reads a line
// without a severity as the first of an entry whose names hold a newline
// (stderrDecoder.join) when its prefix opens one, and then takes the lines
// it joins; so the entries, events and counts are those of a line-by-line
// read however the input is cut into blocks. A server's own lines have a
// severity or start with a TAB: such lines are rare, but every line is
// looked at.
func (b *block) walk() (entries, skipped int) {
	anchors := b.cands
	merged := b.spare[:0]
	buf := b.buf
	n := 0
	for pos := 0; pos < len(buf); n++ {
		line, next := buf[pos:], len(buf)
		if k := bytes.IndexByte(line, '\n'); k >= 0 {
			line, next = line[:k], pos+k+1
		}
		if len(anchors) > 0 && int(anchors[0].off) < next {
			merged = append(merged, cand{int32(pos), int32(n), -1})
			anchors = anchors[1:] // one per line: scan skips to the line's end
		} else if sev, _, _ := lineSeverity(trimCR(line)); sev == sevNone {
			merged = append(merged, cand{int32(pos), int32(n), -1})
		} else {
			sev.count(&entries, &skipped)
		}
		pos = next
	}
	b.lines = n
	b.cands, b.spare = merged, b.cands
	return entries, skipped
}

// count returns the Stats.Entries and Skipped of the lines of b from off
// on, but for the candidate lines: the stderr decoder counts those when it
// parses them. Each line's severity is lineSeverity's, as on the event path.
func (b *block) count(off int) (entries, skipped int) {
	cands := b.cands
	for len(cands) > 0 && int(cands[0].off) < off {
		cands = cands[1:]
	}
	buf := b.buf
	for pos := off; pos < len(buf); {
		line, next := buf[pos:], len(buf)
		if k := bytes.IndexByte(line, '\n'); k >= 0 {
			line, next = line[:k], pos+k+1
		}
		if len(cands) > 0 && int(cands[0].off) == pos {
			cands = cands[1:]
		} else {
			sev, _, _ := lineSeverity(trimCR(line))
			sev.count(&entries, &skipped)
		}
		pos = next
	}
	return entries, skipped
}

// trimCR drops the CR of a line cut before its LF (or the input's last line).
func trimCR(line []byte) []byte {
	if n := len(line); n > 0 && line[n-1] == '\r' {
		return line[:n-1]
	}
	return line
}

// A preParser is a scan worker's state for reading the events of the
// candidate lines of its blocks, so that the decoder only takes them.
type preParser struct {
	names interner
	zc    zoneCache
	f     fields
}

// preParse reads the candidate lines of b that are English connection
// events and whose prefix b.pfx matches (the prefix the decoder uses: see
// blockSource.event) into b.evs, as stderrDecoder.parseLine would read
// them but for Event.Line. The other lines (translated messages, prefixes
// of another shape) are left to the decoder.
func (pp *preParser) preParse(b *block) {
	b.evs = b.evs[:0]
	if b.pfx == nil {
		return
	}
	if cap(b.evs) < len(b.cands) {
		b.evs = make([]Event, 0, len(b.cands)) // at most one event per candidate: no growing
	}
	for i := range b.cands {
		c := &b.cands[i]
		line := b.buf[c.off:]
		if k := bytes.IndexByte(line, '\n'); k >= 0 {
			line = line[:k+1]
		}
		line = trimEOL(line)
		if len(line) == 0 || line[0] == '\t' {
			continue
		}
		sev, word, start := lineSeverity(line)
		if sev != sevLog {
			continue // refusals (quoted names, preferQuoted) are the decoder's: they are few
		}
		// Read into the next slot of evs, taken only for an event: an
		// Event is some 250 bytes, not to be copied twice.
		n := len(b.evs)
		ev := &b.evs[:n+1][n]
		*ev = Event{}
		if !classify(sev, message(line, start), ev, &pp.names) || !b.pfx.match(line[:word], &pp.f, &pp.zc) {
			continue
		}
		if ev.Kind == Connect && !ev.Replication && ev.DB == "" || !pp.f.agrees(ev, line[:word], single) {
			continue // names that go on or disagree with the prefix (forged?): the decoder's
		}
		pp.f.apply(ev, &pp.names)
		c.ev = int32(n)
		b.evs = b.evs[:n+1]
	}
}
