package parse

import (
	"bytes"
	"encoding/binary"
	"math"
	"time"
)

// A message is what the server wrote after "SEVERITY:  ".
// classify fills ev from a LOG or FATAL message and reports whether the
// message is a connection event. It never looks at other severities, so a
// query text that contains "connection authorized:" is never an event.
func classify(sev severity, msg []byte, ev *Event, nt *interner) bool {
	switch sev {
	case sevLog:
		return classifyLog(msg, ev, nt)
	case sevFatal:
		return classifyFatal(msg, ev, nt)
	}
	return false
}

var (
	mReceived    = []byte("connection received: host=")
	mAuthorized  = []byte("connection authorized: user=")
	mReplication = []byte("replication connection authorized: user=")
	mDisconnect  = []byte("disconnection: session time: ")
	mStarting    = []byte("starting PostgreSQL ")
	mReady       = []byte("connection ready: setup total=")
)

// resets are the postmaster's lifecycle lines after which no session of
// the old server is alive.
var resets = []struct {
	msg    string
	reason string
	prefix bool
}{
	{"database system is shut down", "shutdown", false},
	{"received immediate shutdown request", "shutdown", false},
	{"terminating any other active server processes", "crash", false},
	{"all server processes terminated; reinitializing", "crash", false},
	{"database system was interrupted; last known up at ", "crash", true},
	{"database system was not properly shut down; automatic recovery in progress", "crash", false},
}

// logStarts are the beginnings of every English LOG message that can be
// an event: a cheap test that lets the readers skip the lines and records
// that cannot be one. The translated ones are in local.starts.
var logStarts = func() (t [256][]start) {
	for _, s := range []string{
		"connection ", "replication connection ", "disconnection: ", "starting PostgreSQL ",
		"database system ", "received immediate shutdown", "terminating any other ", "all server processes ",
	} {
		t[s[0]] = addStart(t[s[0]], s)
	}
	return t
}()

// A start is how a LOG event's message starts, with its first four bytes
// (fewer when it is shorter) as a number, compared before the text.
type start struct {
	text       string
	head, mask uint32 // the first bytes of text, little-endian; the bits of those it has
}

// startHeads has a bit set for the first four bytes of every start
// (hashed; a bit may stand for other bytes too): most lines are
// statements, whose messages share a byte or three with a start
// ("statement: ", "starting PostgreSQL ") but seldom four, and are told
// apart by one look at a table that stays in the cache. shortStarts is
// set when a start is shorter than four bytes: then the table is not
// used.
var (
	startHeads  [1 << 16 / 64]uint64
	shortStarts bool
)

func headBit(head uint32) (int, uint64) {
	h := (head * 0x9e3779b1) >> 16
	return int(h / 64), 1 << (h % 64)
}

// addStart adds s to the starts of its first byte, unless it is there.
func addStart(starts []start, s string) []start {
	for _, x := range starts {
		if x.text == s {
			return starts
		}
	}
	head, n := headOf(s), min(len(s), 4)
	if n < 4 {
		shortStarts = true
	} else {
		i, bit := headBit(head)
		startHeads[i] |= bit
	}
	return append(starts, start{text: s, head: head, mask: uint32(1<<(8*n) - 1)})
}

// logEventStart reports whether a LOG message starting with msg may be an
// event (msg may run on past the message: only its start is looked at).
// Every line of a log pays for it: most lines are turned away by one
// look at startHeads.
func logEventStart(msg []byte) bool {
	if len(msg) < 2 {
		return false
	}
	head := headOf(msg)
	if len(msg) >= 4 && !shortStarts {
		if i, bit := headBit(head); startHeads[i]&bit == 0 {
			return false
		}
	}
	return hasStart(msg, head, logStarts[msg[0]]) || hasStart(msg, head, local.starts[msg[0]])
}

// headOf returns the first four bytes of b (zeros past its end), little-endian.
func headOf[T string | []byte](b T) uint32 {
	var h [4]byte
	copy(h[:], b)
	return binary.LittleEndian.Uint32(h[:])
}

// hasStart reports whether msg, whose first bytes are head (headOf),
// starts with one of starts.
func hasStart(msg []byte, head uint32, starts []start) bool {
	for i := range starts {
		s := &starts[i]
		if head&s.mask == s.head && len(msg) >= len(s.text) && string(msg[:len(s.text)]) == s.text {
			return true
		}
	}
	return false
}

func classifyLog(msg []byte, ev *Event, nt *interner) bool {
	if len(msg) == 0 {
		return false
	}
	switch msg[0] {
	case 'c':
		if bytes.HasPrefix(msg, mReceived) {
			ev.Kind = Received
			rest := msg[len(mReceived):]
			if k := lastIndex(rest, pPort); k >= 0 {
				ev.Host, ev.Port = nt.str(rest[:k]), nt.port(rest[k+6:])
			} else {
				ev.Host = nt.str(rest)
			}
			return true
		}
		if bytes.HasPrefix(msg, mAuthorized) {
			ev.Kind = Connect
			parseAuthorized(msg[len(mAuthorized):], ev, true, nt)
			return true
		}
		if bytes.HasPrefix(msg, mReady) {
			// "connection ready: setup total=12.345 ms, fork=…, authentication=…"
			rest := msg[len(mReady):]
			k := bytes.Index(rest, []byte(" ms"))
			if k <= 0 {
				return false
			}
			d, ok := parseMillis(rest[:k])
			if !ok {
				return false
			}
			ev.Kind, ev.SetupTime = Ready, d
			return true
		}
	case 'r':
		if bytes.HasPrefix(msg, mReplication) {
			ev.Kind = Connect
			ev.Replication = true
			parseAuthorized(msg[len(mReplication):], ev, false, nt)
			return true
		}
	case 'd':
		if bytes.HasPrefix(msg, mDisconnect) {
			return parseDisconnect(msg[len(mDisconnect):], ev, nt)
		}
	case 's':
		// "starting PostgreSQL %s on %s, compiled by %s, %d-bit" in
		// full: text after it is not the server's (see fields.agrees).
		if bytes.HasPrefix(msg, mStarting) && bytes.Contains(msg, []byte(" on ")) && bytes.HasSuffix(msg, []byte("-bit")) {
			ev.Kind, ev.Reason = Reset, "restart"
			return true
		}
	}
	for _, r := range resets {
		if r.msg[0] != msg[0] {
			continue
		}
		if r.prefix && bytes.HasPrefix(msg, []byte(r.msg)) || !r.prefix && string(msg) == r.msg {
			ev.Kind, ev.Reason = Reset, r.reason
			return true
		}
	}
	return false
}

// replicationDB is the database name under which walsenders are counted:
// their authorized line names no database.
const replicationDB = "[replication]"

var (
	pDatabase = []byte(" database=")
	pApp      = []byte(" application_name=")
	pSSL      = []byte(" SSL enabled (protocol=")
	pGSS      = []byte(" GSS (authenticated=")
)

// parseAuthorized reads "U[ database=D][ application_name=A][ SSL enabled (…)][ GSS (…)]".
// Values are not quoted and may hold spaces, so it anchors on the
// right-hand markers in their fixed order.
func parseAuthorized(b []byte, ev *Event, hasDB bool, nt *interner) {
	// Strip the encryption suffixes, which always end the line with ")".
	if n := len(b); n > 0 && b[n-1] == ')' {
		if k := lastIndex(b, pGSS); k >= 0 {
			b = b[:k]
		}
		if k := lastIndex(b, pSSL); k >= 0 && b[len(b)-1] == ')' {
			b = b[:k]
		}
	}
	app, hasApp := []byte(nil), false
	if k := bytes.Index(b, pApp); k >= 0 {
		app, hasApp = b[k+len(pApp):], true
		b = b[:k]
	}
	if hasDB {
		if k := bytes.Index(b, pDatabase); k >= 0 {
			ev.DB = nt.str(b[k+len(pDatabase):])
			b = b[:k]
		}
	} else {
		ev.DB = replicationDB
	}
	ev.User = nt.str(b)
	if hasApp && len(app) > 0 {
		ev.App = nt.str(app)
	}
}

var (
	pUser = []byte(" user=")
	pHost = []byte(" host=")
	pPort = []byte(" port=")
)

// parseDisconnect reads "H:MM:SS.mmm user=U database=D host=H[ port=P]",
// all of it, as every server version writes it (a shorter one is forged
// inside a name, see fields.agrees).
func parseDisconnect(b []byte, ev *Event, nt *interner) bool {
	k := bytes.Index(b, pUser)
	if k < 0 {
		return false
	}
	d, ok := parseSessionTime(b[:k])
	if !ok {
		return false
	}
	// Each marker is looked for once: the port is the last " port=" if
	// digits follow it, the host the last " host=" before it, the
	// database the first " database=" before that. " host=" and
	// " database=" must both be there, even where they do not split.
	b = b[k+len(pUser):]
	port := -1 // a port is digits to the end: a line that ends otherwise has none
	if n := len(b); n > 0 && isDigit(b[n-1]) {
		if port = lastIndex(b, pPort); port >= 0 && !digits(b[port+len(pPort):]) {
			port = -1
		}
	}
	end := len(b)
	if port >= 0 {
		end = port
	}
	host := lastIndex(b[:end], pHost)
	if host < 0 {
		return false // none before a port, and none in one (digits)
	}
	db := bytes.Index(b[:host], pDatabase)
	if db < 0 && !bytes.Contains(b[host:], pDatabase) {
		return false
	}
	ev.Kind = Disconnect
	ev.Duration = d
	if port >= 0 {
		ev.Port = nt.port(b[port+len(pPort):])
	}
	ev.Host = nt.str(b[host+len(pHost) : end])
	if db >= 0 {
		ev.DB = nt.str(b[db+len(pDatabase) : host])
		host = db
	}
	ev.User = nt.str(b[:host])
	return true
}

// parseMillis reads "%.3f" milliseconds: "12.345".
func parseMillis(b []byte) (time.Duration, bool) {
	dot := bytes.IndexByte(b, '.')
	if dot < 0 {
		dot = len(b)
	}
	whole, frac := b[:dot], []byte(nil)
	if dot < len(b) {
		frac = b[dot+1:]
	}
	if !digits(whole) || len(whole) > 12 || len(frac) > 9 || len(frac) > 0 && !digits(frac) {
		return 0, false
	}
	ns := atoi(frac)
	for k := len(frac); k < 6; k++ {
		ns *= 10
	}
	for k := len(frac); k > 6; k-- {
		ns /= 10
	}
	return time.Duration(atoi(whole))*time.Millisecond + time.Duration(ns), true
}

// parseSessionTime reads "%d:%02d:%02d.%03d"; hours are unbounded.
func parseSessionTime(b []byte) (time.Duration, bool) {
	c1 := bytes.IndexByte(b, ':')
	if c1 <= 0 || len(b) != c1+10 || b[c1+3] != ':' || b[c1+6] != '.' {
		return 0, false
	}
	h, m, s, ms := b[:c1], b[c1+1:c1+3], b[c1+4:c1+6], b[c1+7:]
	if !digits(h) || len(h) > 9 || !digits(m) || !digits(s) || !digits(ms) {
		return 0, false
	}
	// In milliseconds it fits (under 10^9 h); in nanoseconds from
	// 2,562,048 h on it does not: such a session lasted "forever".
	total := ((int64(atoi(h))*60+int64(atoi(m)))*60+int64(atoi(s)))*1000 + int64(atoi(ms))
	if total > math.MaxInt64/int64(time.Millisecond) {
		return time.Duration(math.MaxInt64), true
	}
	return time.Duration(total) * time.Millisecond, true
}

// lastIndex is bytes.LastIndex for the short markers of the message
// parsers: it looks for the marker's last byte with
// bytes.LastIndexByte, where bytes.LastIndex hashes the whole line.
func lastIndex(b, sep []byte) int {
	n := len(sep)
	last := sep[n-1]
	for end := len(b); ; {
		k := bytes.LastIndexByte(b[:end], last)
		if k < 0 {
			return -1
		}
		if k+1 >= n && string(b[k+1-n:k+1]) == string(sep) {
			return k + 1 - n
		}
		end = k
	}
}
