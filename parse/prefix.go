package parse

import (
	"bytes"
	"strings"
	"time"
)

// A prefix is a compiled log_line_prefix. It matches the text a server
// wrote in front of the severity word and extracts the session fields.
type prefix struct {
	src    string
	toks   []ptok
	greedy bool // canGreedy
}

type ptok struct {
	lit []byte // literal text; nil for an escape
	esc byte   // escape letter: 'u', 'd', 'p', …; 'q' for %q
	pad int    // padding width from %-10u or %5p (absolute value)
}

// fields are what a prefix can tell about the line it starts.
type fields struct {
	time      time.Time
	hasTime   bool
	pid       int
	user, db  []byte
	app, host []byte
	port      []byte
}

// apply copies the session fields read from a prefix, or from the columns
// of a csvlog or jsonlog record, into ev. Values in the message text win
// for connects and disconnects; for failures the prefix's user and
// database (from the startup packet) win over names quoted in the text,
// which cannot be split reliably; where the prefix's own split is
// ambiguous, prefixSet.preferQuoted chose the split that agrees with them.
func (f *fields) apply(ev *Event, nt *interner) {
	if f.hasTime {
		ev.Time = f.time
	}
	ev.PID = f.pid
	override := ev.Kind == Failure
	set := func(dst *string, v []byte) {
		if v != nil && (override || *dst == "") {
			*dst = nt.str(v)
		}
	}
	set(&ev.User, f.user)
	if ev.Kind != Connect || !ev.Replication {
		set(&ev.DB, f.db)
	}
	set(&ev.Host, f.host)
	if ev.Port == "" && f.port != nil {
		ev.Port = nt.port(f.port)
	}
	if ev.Kind != Connect && f.app != nil && ev.App == "" {
		ev.App = nt.str(f.app)
	}
}

// compilePrefix compiles a log_line_prefix value exactly as PostgreSQL
// interprets it (elog.c log_status_format): %% is a literal percent,
// unknown escapes print nothing, padding %-10u / %5p is allowed and a
// format that ends inside a padding spec stops there.
func compilePrefix(s string) *prefix {
	p := &prefix{src: s}
	var lit []byte
	flush := func() {
		if len(lit) > 0 {
			p.toks = append(p.toks, ptok{lit: lit})
			lit = nil
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '%' {
			lit = append(lit, c)
			continue
		}
		i++
		if i >= len(s) {
			break // a lone % at the end is ignored
		}
		if s[i] == '%' {
			lit = append(lit, '%')
			continue
		}
		pad := 0
		if s[i] == '-' || s[i] >= '0' && s[i] <= '9' {
			if s[i] == '-' {
				i++
			}
			for i < len(s) && s[i] >= '0' && s[i] <= '9' {
				pad = pad*10 + int(s[i]-'0')
				i++
			}
			if i >= len(s) {
				break // the format ends inside a padding spec
			}
		}
		switch e := s[i]; e {
		case 'a', 'u', 'd', 'r', 'h', 'L', 'b', 'p', 'P', 't', 'm', 'n', 'i', 'e', 'c', 'l', 's', 'v', 'x', 'Q', 'q':
			flush()
			p.toks = append(p.toks, ptok{esc: e, pad: pad})
		default:
			// any other escape prints nothing
		}
	}
	flush()
	p.greedy = p.canGreedy()
	return p
}

// String returns the log_line_prefix the prefix was compiled from.
func (p *prefix) String() string { return p.src }

// hasPID reports whether lines carry a process ID (%p or %c).
func (p *prefix) hasPID() bool { return p.has('p') || p.has('c') }

// hasTime reports whether lines carry a time stamp (%t, %m or %n).
func (p *prefix) hasTime() bool { return p.has('t') || p.has('m') || p.has('n') }

func (p *prefix) has(e byte) bool {
	for _, t := range p.toks {
		if t.esc == e {
			return true
		}
	}
	return false
}

// maxPrefixSteps bounds the backtracking work of one match, so a hostile
// line cannot make matching slow.
const maxPrefixSteps = 4096

type matcher struct {
	p     *prefix
	in    []byte
	f     *fields
	zc    *zoneCache
	steps int
	// want, when set, is the only value %u (want[0]) or %d (want[1])
	// may take: the name a failure's message quotes.
	want [2][]byte
	open bool // see opens
}

// maxName is the longest user or database name PostgreSQL writes: it cuts
// the names of the startup packet to NAMEDATALEN-1 bytes.
const maxName = 63

// opens reports whether b, a line without a severity, is the start of an
// entry whose user or database name (%u, %d) holds a newline: b matches p
// up to such an escape, and the rest of b can be the start of its value.
// PostgreSQL writes the names of the startup packet unescaped, so the
// lines up to the one that closes the prefix belong to this entry.
func (p *prefix) opens(b []byte, f *fields, zc *zoneCache) bool {
	if len(b) > 4096 || !p.has('u') && !p.has('d') {
		return false
	}
	m := matcher{p: p, in: b, f: f, zc: zc, open: true}
	*f = fields{}
	return m.at(0, 0)
}

// match reports whether b is exactly what p prints, and fills f.
func (p *prefix) match(b []byte, f *fields, zc *zoneCache) bool {
	if len(b) > 4096 {
		return false
	}
	if p.greedy && p.matchGreedy(b, f, zc) {
		return true
	}
	return p.search(b, f, zc)
}

// search is match by the matcher's depth-first search of every split.
func (p *prefix) search(b []byte, f *fields, zc *zoneCache) bool {
	m := matcher{p: p, in: b, f: f, zc: zc}
	*f = fields{}
	return m.at(0, 0)
}

// canGreedy reports whether p can be matched greedily (matchGreedy):
// every escape but the last is followed by a literal, and none is one
// whose values the search tries in another order than the first place
// the literal follows (%b and %i, whose values hold spaces; %r, longest
// first).
func (p *prefix) canGreedy() bool {
	if len(p.toks) >= maxPrefixSteps/2 {
		return false // the search would stop short of where the greedy match ends
	}
	for i, t := range p.toks {
		switch {
		case t.lit != nil || t.esc == 'q':
		case t.esc == 'b' || t.esc == 'i' || t.esc == 'r':
			return false
		case i+1 < len(p.toks) && p.toks[i+1].lit == nil:
			return false
		}
	}
	return true
}

// matchGreedy is match taking, for each escape, the value up to the
// first place its literal follows: the first path that search tries. So
// when it succeeds, search would find the same fields (FuzzPrefix checks
// it); when it fails, search tries the other paths. It saves the search
// its recursion on the lines of a common prefix.
func (p *prefix) matchGreedy(b []byte, f *fields, zc *zoneCache) bool {
	var m matcher // for value; set field by field, which the compiler does not copy through a temporary
	m.f, m.zc = f, zc
	*f = fields{}
	pos := 0
	toks := p.toks
	for ti := 0; ti < len(toks); ti++ {
		t := &toks[ti]
		switch {
		case t.lit != nil:
			if !bytes.HasPrefix(b[pos:], t.lit) {
				return false
			}
			pos += len(t.lit)
		case t.esc == 'q':
			if pos == len(b) {
				return true // a process without a session stops here
			}
		case ti+1 == len(toks):
			if !m.value(t, b[pos:]) {
				return false
			}
			pos = len(b)
		case t.esc == 'p' && t.pad == 0 && !isDigit(toks[ti+1].lit[0]):
			// A PID is digits, and its literal cannot start among them:
			// the first place it follows is where the digits end, or
			// the value would hold a non-digit.
			end := pos
			for end < len(b) && isDigit(b[end]) {
				end++
			}
			lit := toks[ti+1].lit
			if !bytes.HasPrefix(b[end:], lit) || !m.value(t, b[pos:end]) {
				return false
			}
			pos = end + len(lit)
			ti++ // the literal is matched
		default:
			from := pos
			switch t.esc {
			case 'h':
				from++ // the search tries an empty host last
			case 't', 'm', 's':
				// A time stamp is at least "YYYY-MM-DD HH:MM:SS Z": where the
				// literal follows before that end, the value is no time
				// stamp (and the search goes on to the next place too).
				from += minStamp
			}
			if from > len(b) {
				return false
			}
			lit := toks[ti+1].lit
			var k int
			if len(lit) == 1 {
				k = bytes.IndexByte(b[from:], lit[0])
			} else {
				k = bytes.Index(b[from:], lit)
			}
			if k < 0 {
				return false
			}
			if !m.value(t, b[pos:from+k]) {
				return false
			}
			pos = from + k + len(lit)
			ti++ // the literal is matched
		}
	}
	return pos == len(b)
}

// matchWant is match with %u and %d held to user and db where they are
// not nil: a split of "%u@%d" that agrees with the names a message quotes.
func (p *prefix) matchWant(b []byte, f *fields, zc *zoneCache, user, db []byte) bool {
	if len(b) > 4096 {
		return false
	}
	m := matcher{p: p, in: b, f: f, zc: zc, want: [2][]byte{user, db}}
	*f = fields{}
	return m.at(0, 0)
}

func (m *matcher) at(ti, pos int) bool {
	m.steps++
	if m.steps > maxPrefixSteps {
		return false
	}
	toks := m.p.toks
	if ti == len(toks) {
		return pos == len(m.in) && !m.open
	}
	t := &toks[ti]
	if m.open && (t.esc == 'u' || t.esc == 'd') && len(m.in)-pos <= maxName {
		return true // the name runs on past the end of the line
	}
	if t.lit != nil {
		if !bytes.HasPrefix(m.in[pos:], t.lit) {
			return false
		}
		return m.at(ti+1, pos+len(t.lit))
	}
	if t.esc == 'q' {
		// Non-session processes stop printing here.
		if pos == len(m.in) && !m.open {
			return true
		}
		return m.at(ti+1, pos)
	}
	rest := m.in[pos:]
	// Candidate ends for this escape's value: where the next literal
	// starts, or anywhere when another escape follows directly.
	var next []byte
	if ti+1 < len(toks) && toks[ti+1].lit != nil {
		next = toks[ti+1].lit
	}
	if ti+1 == len(toks) {
		return m.value(t, rest) && m.at(ti+1, len(m.in))
	}
	// Values with spaces that PostgreSQL prints ("client backend",
	// "idle in transaction") are tried first as a whole.
	for _, kw := range multiword[t.esc] {
		if len(rest) >= len(kw) && string(rest[:len(kw)]) == kw && (next == nil || bytes.HasPrefix(rest[len(kw):], next)) &&
			m.value(t, rest[:len(kw)]) && m.at(ti+1, pos+len(kw)) {
			return true
		}
	}
	if t.esc == 'r' && next != nil {
		// host(port) may hold the next literal (IPv6 "::1(5432)" before
		// ":"): try the longest value first.
		for end := bytes.LastIndex(rest, next); end >= 0; end = bytes.LastIndex(rest[:end], next) {
			if m.value(t, rest[:end]) && m.at(ti+1, pos+end) {
				return true
			}
			if m.steps > maxPrefixSteps || end == 0 {
				return false
			}
		}
		return false
	}
	// The remote host is empty only in a non-session process: try that
	// last.
	host := t.esc == 'h'
	for end := 0; end <= len(rest); end++ {
		if next != nil {
			k := bytes.Index(rest[end:], next)
			if k < 0 {
				break
			}
			end += k
		}
		if host && end == 0 {
			continue
		}
		if m.value(t, rest[:end]) && m.at(ti+1, pos+end) {
			return true
		}
		m.steps++ // a rejected candidate end costs a step too
		if m.steps > maxPrefixSteps {
			return false
		}
	}
	return host && m.value(t, rest[:0]) && m.at(ti+1, pos)
}

// value checks that v can be what escape t prints and records it.
func (m *matcher) value(t *ptok, v []byte) bool {
	if t.pad > 0 {
		// PostgreSQL pads to at least pad bytes (spaces for an escape
		// that prints nothing), so a shorter value is not this escape.
		if len(v) < t.pad {
			return false
		}
		v = bytes.Trim(v, " ")
	}
	f := m.f
	switch t.esc {
	case 'p':
		if !digits(v) || len(v) > maxPIDDigits {
			return false
		}
		f.pid = atoi(v)
	case 'c':
		// hex(start time) "." hex(pid)
		dot := bytes.IndexByte(v, '.')
		if dot <= 0 || dot == len(v)-1 || !hexDigits(v[:dot]) || !hexDigits(v[dot+1:]) || len(v)-dot-1 > 8 {
			return false
		}
		if f.pid == 0 {
			f.pid = hexVal(v[dot+1:])
		}
	case 'l', 'x':
		return digits(v)
	case 'P':
		return len(v) == 0 || digits(v)
	case 'Q':
		if len(v) > 0 && v[0] == '-' {
			v = v[1:]
		}
		return digits(v)
	case 'e':
		return len(v) == 5 && alnum(v)
	case 'v':
		return len(v) == 0 || bytes.IndexByte(v, '/') > 0 && !bytes.ContainsAny(v, " ")
	case 't', 'm', 's':
		tm, ok := m.zc.parseTimestamp(v)
		if !ok {
			return false
		}
		if t.esc != 's' {
			f.time, f.hasTime = tm, true
		}
	case 'n':
		tm, ok := parseEpoch(v)
		if !ok {
			return false
		}
		f.time, f.hasTime = tm, true
	case 'u':
		if m.want[0] != nil && string(v) != string(m.want[0]) {
			return false
		}
		f.user = known(v)
	case 'd':
		if m.want[1] != nil && string(v) != string(m.want[1]) {
			return false
		}
		f.db = known(v)
	case 'a':
		f.app = known(v)
	case 'h':
		if bytes.IndexByte(v, ' ') >= 0 {
			return false
		}
		f.host = known(v)
	case 'r':
		// "host(port)", "[local]", or nothing in a non-session process.
		if len(v) == 0 || string(v) == "[local]" {
			f.host = known(v)
			return true
		}
		n := len(v)
		k := bytes.LastIndexByte(v, '(')
		if v[n-1] != ')' || k <= 0 || !digits(v[k+1:n-1]) || bytes.IndexByte(v[:k], ' ') >= 0 {
			return false
		}
		f.host, f.port = v[:k], v[k+1:n-1]
	}
	return true
}

// maxPIDDigits is the longest process ID read: longer digit runs would
// overflow an int and are not PIDs.
const maxPIDDigits = 10

// multiword lists values with spaces that an escape prints, longest
// first: %b backend types, %i activities.
var multiword = [256][]string{
	'b': {"logical replication parallel worker", "logical replication tablesync worker", "logical replication apply worker",
		"logical replication launcher", "logical replication worker", "autovacuum launcher", "autovacuum worker",
		"background worker", "background writer", "standalone backend", "client backend", "parallel worker",
		"slotsync worker", "not initialized", "io worker"},
	'i': {"idle in transaction (aborted)", "idle in transaction"},
}

// known returns nil for the placeholder PostgreSQL prints for an unknown
// or empty value ("[unknown]", translated in the catalogs).
func known(v []byte) []byte {
	if len(v) == 0 || v[0] == '[' && (string(v) == "[unknown]" || string(v) != "[local]" && local.unknown[string(v)]) {
		return nil
	}
	return v
}

func hexDigits(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return len(b) > 0
}

func hexVal(b []byte) int {
	n := 0
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			n = n*16 + int(c-'0')
		case c >= 'a' && c <= 'f':
			n = n*16 + int(c-'a'+10)
		default:
			n = n*16 + int(c-'A'+10)
		}
	}
	return n
}

func alnum(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// knownPrefixes are tried, most specific first, when no --prefix is given.
var knownPrefixes = []string{
	"%m [%p] %q%u@%d ",                                // Debian/Ubuntu
	"%t [%p-%l] %q%u@%d ",                             // older Debian
	"%m [%p] %q%u@%d/%a ",                             // upstream docs example
	"%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ", // pgBadger README (older)
	"%t [%p]: user=%u,db=%d,app=%a,client=%h ",        // pgBadger README
	"%t [%p]: db=%d,user=%u,app=%a,client=%h ",        // pgBadger README
	"%t:%r:%u@%d:[%p]:",                               // AWS RDS / Aurora
	"%t-%c-",                                          // Azure
	"%m [%p] ",                                        // upstream default
	"%t [%p] ",
	"%m [%p]: ",
	"%t [%p]: ",
	"%n [%p] ",
	"[%p]: [%l-1] db=%d,user=%u ", // Google Cloud SQL
	"%m [%p-%l] %q%u@%d ",
	"%m %c ",
	"%t %c ",
	"%m %q%u@%d ", // no pid
	"%t %q%u@%d ",
	"%m ",
	"%t ",
	"",
}

// How fields.agrees compares the names of a message with the prefix's.
const (
	single      = iota // a one-line prefix: the name need only be in it (a name with "@" or a quote splits ambiguously)
	joinedOpen         // a prefix over lines, its message's first line: the name up to its first newline
	joinedWhole        // a prefix over lines, the whole message: the name
)

// tail reports whether b, the text before a line's severity, is what p
// writes from inside a user or database name (%u, %d) on, and not a whole
// prefix: the line goes on with the entry of the line above, which ends
// inside such a name (the rest of the name, after a newline in it, and
// the rest of the prefix).
func (p *prefix) tail(b []byte, f *fields, zc *zoneCache) bool {
	if len(b) > 4096 {
		return false
	}
	for i, t := range p.toks {
		if t.esc != 'u' && t.esc != 'd' || i == 0 {
			continue
		}
		m := matcher{p: p, in: b, f: f, zc: zc}
		*f = fields{}
		if m.at(i, 0) && len(f.user) <= maxName && len(f.db) <= maxName {
			return !p.match(b, f, zc)
		}
	}
	return false
}

// agrees reports whether ev, read from the message after the prefix p
// that f was read from, agrees with the prefix as the server writes them:
// a reset or a "connection received" comes from a process with no user
// and database yet; a connect, a disconnect and a failure name the user
// and database of the prefix (compared as mode says). A line that
// disagrees is not what the server wrote, but text inside a client-chosen
// name (see prefix.opens), and is no event.
func (f *fields) agrees(ev *Event, p []byte, mode int) bool {
	switch ev.Kind {
	case Reset, Received:
		return unset(f.user) && unset(f.db)
	case Failure:
		// A one-line refusal whose quoted name differs keeps the prefix's
		// (prefixSet.preferQuoted), unless that name holds a newline: then
		// this line is inside it.
		if mode == single && !strings.Contains(ev.User, "\n") && !strings.Contains(ev.DB, "\n") {
			return true
		}
		fallthrough
	case Connect, Disconnect:
		db := ev.DB
		if ev.Replication {
			db = ""
		}
		return sameName(ev.User, f.user, p, mode) && sameName(db, f.db, p, mode)
	}
	return true
}

// unset reports whether a prefix field holds no name: absent, empty or
// the placeholder for an unknown one, padded with spaces (%-12u read
// without its padding spec) or not.
func unset(v []byte) bool {
	return known(bytes.Trim(v, " ")) == nil
}

// sameName reports whether the name v a message gives agrees with the
// prefix p, whose field for it holds name (nil when p has none).
func sameName(v string, name, p []byte, mode int) bool {
	switch {
	case v == "" || name == nil || string(name) == v:
		return true
	case mode == joinedOpen:
		return string(name) == v || len(name) > len(v) && string(name[:len(v)]) == v && name[len(v)] == '\n'
	case mode == joinedWhole:
		return false
	}
	return bytes.Contains(p, []byte(v))
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
