package parse

import (
	"bytes"
)

// The stderr fast path.
//
// A connection event is a few lines in a hundred in a busy log, so the
// decoder does not parse every line. A reader goroutine cuts the input
// into blocks of whole lines; scan workers walk each block's lines and
// pick the candidates: the lines that can be an event or start one. Only
// LOG and FATAL lines are events (classify), and of the LOG lines only
// those whose message starts like an event (logEventStart, English and
// every translation); a line without a severity may open an entry whose
// names hold a newline (block.scan). The workers count the lines too, and
// read the events of the candidate lines they can (preParse); the block
// source (pipeline.go) hands the stderr decoder only the candidates, in
// input order. Blocks go to the workers round-robin and come back in the
// same order, and whether a line is a candidate depends on that line
// alone, so the events, their line numbers and the prefix detection are
// exactly those of a line-by-line read, however the input is cut into
// reads.
//
// Until the first log entry is recognised, the block source hands out
// every line, so the "no log entry recognised" hint stays exact (see
// Stats).

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

	entries, skipped int // Stats.Entries and Skipped of all lines of buf but the candidates

	// The events the worker read from candidate lines (see preParse),
	// with the prefix they were read with.
	pfx *prefix
	evs []Event

	// The record fast path (records.go): where each line starts, its
	// marks, and the length of its end ("\n", "\r\n" or none).
	starts []int32
	marks  []uint8
	eols   []uint8
}

// A cand is a candidate line of a block (scan), with what scan read of
// it, so that preParse does not read it again.
type cand struct {
	off  int32 // where the line starts in buf
	end  int32 // where it ends, before its "\n" or "\r\n"
	line int32 // its 0-based line number in the block
	ev   int32 // its event in evs, read by the worker; -1: none
	word int32 // lineSeverity's word and msg, from off
	msg  int32
	sev  severity
	eol  uint8 // the length of its line end: 1 ("\n"), 2 ("\r\n"), 0 (the input's last line)
}

// scan counts b's lines and makes candidates of those that can be an
// event or start one: FATAL lines, LOG lines whose message starts like an
// event, and lines without a severity. It sets b.entries and b.skipped to
// the Stats.Entries and Skipped of the other lines (count(0)). The decoder
// reads a line without a severity as the first of an entry whose names
// hold a newline (stderrDecoder.join) when its prefix opens one, and then
// takes the lines it joins; so the entries, events and counts are those of
// a line-by-line read however the input is cut into blocks. A server's own
// lines have a severity or start with a TAB: such lines are rare, but
// every line is looked at.
func (b *block) scan() {
	b.cands = b.cands[:0]
	b.entries, b.skipped = 0, 0
	buf := b.buf
	n := 0
	for pos := 0; pos < len(buf); n++ {
		line, next := buf[pos:], len(buf)
		if k := bytes.IndexByte(line, '\n'); k >= 0 {
			line, next = line[:k], pos+k+1
		}
		line = trimCR(line)
		if sev, word, msg := lineSeverity(line); mayBeEvent(sev, line, msg) {
			end := pos + len(line)
			b.cands = append(b.cands, cand{off: int32(pos), end: int32(end), line: int32(n), ev: -1,
				word: int32(word), msg: int32(msg), sev: sev, eol: uint8(next - end)})
		} else {
			sev.count(&b.entries, &b.skipped)
		}
		pos = next
	}
	b.lines = n
}

// mayBeEvent reports whether a line of severity sev whose message starts
// at start can be an event or start one (scan).
func mayBeEvent(sev severity, line []byte, start int) bool {
	switch sev {
	case sevNone, sevFatal:
		return true
	case sevLog:
		return logEventStart(message(line, start))
	}
	return false
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
		if c.sev != sevLog {
			continue // refusals (quoted names, preferQuoted) are the decoder's: they are few
		}
		line := b.buf[c.off:c.end]
		sev, word, start := c.sev, int(c.word), int(c.msg)
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
