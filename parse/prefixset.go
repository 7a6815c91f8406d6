package parse

import "bytes"

// A prefixSet matches the prefixes of stderr-format lines: the
// log_line_prefix given, or else the known ones (knownPrefixes), the one
// that fitted most lines so far first. It keeps the session fields of the
// last prefix it read.
type prefixSet struct {
	fixed *prefix
	cands []*candidate
	best  *candidate
	zc    zoneCache
	f     fields  // of the last prefix matched or read loosely
	last  *prefix // the last prefix matched
}

type candidate struct {
	p    *prefix
	hits int
}

// newPrefixSet returns the set for a --prefix value; "" means detect it.
func newPrefixSet(s string) *prefixSet {
	ps := &prefixSet{}
	if s != "" {
		ps.fixed = compilePrefix(s)
		return ps
	}
	for _, k := range knownPrefixes {
		ps.cands = append(ps.cands, &candidate{p: compilePrefix(k)})
	}
	return ps
}

// name returns the log_line_prefix used for most lines so far ("" when
// none matched yet).
func (ps *prefixSet) name() string {
	if ps.fixed != nil {
		return ps.fixed.src
	}
	if ps.best != nil {
		return ps.best.p.src
	}
	return ""
}

// current returns the prefix that is tried first: the one given, or the
// one that fitted most lines so far (nil before any did).
func (ps *prefixSet) current() *prefix {
	if ps.fixed != nil {
		return ps.fixed
	}
	if ps.best != nil {
		return ps.best.p
	}
	return nil
}

// hit counts a line whose prefix current() matched elsewhere (a scan
// worker), as match would have counted it.
func (ps *prefixSet) hit() {
	if ps.fixed == nil {
		ps.best.hits++
	}
}

// match reports whether p is one of the set's prefixes, and reads its
// fields into ps.f.
func (ps *prefixSet) match(p []byte) bool {
	if ps.fixed != nil {
		ps.last = ps.fixed
		return ps.fixed.match(p, &ps.f, &ps.zc)
	}
	if ps.best != nil && ps.best.p.match(p, &ps.f, &ps.zc) {
		ps.best.hits++
		ps.last = ps.best.p
		return true
	}
	for _, c := range ps.cands {
		if c == ps.best || !c.p.match(p, &ps.f, &ps.zc) {
			continue
		}
		c.hits++
		ps.last = c.p
		if ps.best == nil || c.hits > ps.best.hits {
			ps.best = c
		}
		return true
	}
	return false
}

// opens reports whether line, which has no severity, starts an entry
// whose user or database name holds a newline (prefix.opens), under the
// set's prefix: the given one, or the one that fitted most lines so far.
func (ps *prefixSet) opens(line []byte) bool {
	if ps.fixed != nil {
		return ps.fixed.opens(line, &ps.f, &ps.zc)
	}
	return ps.best != nil && ps.best.p.opens(line, &ps.f, &ps.zc)
}

// tail reports whether line, which has a severity at word, goes on with
// the entry above (prefix.tail). It overwrites the fields read last.
func (ps *prefixSet) tail(line []byte, word int) bool {
	p := ps.fixed
	if p == nil && ps.best != nil {
		p = ps.best.p
	}
	return p != nil && p.tail(line[:word], &ps.f, &ps.zc)
}

// preferQuoted splits the prefix p just matched again where its user and
// database disagree with the names a failure's message quotes (ev.User,
// ev.DB before the prefix is applied): "%u@%d" is ambiguous when a name
// holds "@" (bob@contoso.com@sales), the quoted name is not. A split the
// prefix cannot make is not taken: the first match stands.
func (ps *prefixSet) preferQuoted(p []byte, ev *Event) {
	// Names that agree with the first split are the common case: compare
	// before converting anything (no allocation per failure).
	var user, db []byte
	if ev.User != "" && string(ps.f.user) != ev.User {
		user = []byte(ev.User)
	}
	if ev.DB != "" && string(ps.f.db) != ev.DB {
		db = []byte(ev.DB)
	}
	if user == nil && db == nil || ps.last == nil {
		return
	}
	first := ps.f
	for _, w := range [][2][]byte{{user, db}, {user, nil}, {nil, db}} {
		if (w[0] != nil || w[1] != nil) && ps.last.matchWant(p, &ps.f, &ps.zc, w[0], w[1]) {
			return
		}
	}
	ps.f = first
}

// loose reads what it can from a prefix of unknown shape into ps.f: a
// time stamp at the start and the first bracketed number as the process ID.
func (ps *prefixSet) loose(p []byte) {
	f := &ps.f
	*f = fields{}
	start := 0
	if len(p) > 0 && p[0] == '[' { // "[%m] …"
		start = 1
	}
	for end := start + 19; end <= len(p) && end < start+48; end++ {
		if end == len(p) || p[end] == ' ' || p[end] == ']' || p[end] == ':' && end > start+23 {
			if t, ok := ps.zc.parseTimestamp(p[start:end]); ok {
				f.time, f.hasTime = t, true
				break
			}
		}
	}
	for k := bytes.IndexByte(p, '['); k >= 0; {
		s := k + 1
		for s < len(p) && p[s] == ' ' { // padded: %5p
			s++
		}
		e := s
		for e < len(p) && p[e] >= '0' && p[e] <= '9' {
			e++
		}
		// "[%p]", or "[%p-%l]" / "[%p:%l]", but not "[2026-11-25 …]".
		rb := e
		if e < len(p) && (p[e] == '-' || p[e] == ':') {
			rb = e + 1
			for rb < len(p) && p[rb] >= '0' && p[rb] <= '9' {
				rb++
			}
			if rb == e+1 {
				rb = len(p) // no line number
			}
		}
		if e > s && e-s <= maxPIDDigits && rb < len(p) && p[rb] == ']' {
			f.pid = atoi(p[s:e])
			break
		}
		n := bytes.IndexByte(p[k+1:], '[')
		if n < 0 {
			break
		}
		k += 1 + n
	}
}
