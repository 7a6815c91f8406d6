package parse

//go:generate go run ../scripts/gencatalog

import (
	"bytes"
	"sort"
	"strings"
)

// Translated messages (lc_messages). PostgreSQL's own message catalogs
// give, for every language it ships, the translation of each message
// pgtail reads (catalog_gen.go, written by scripts/gencatalog). A
// translated message is matched against them and rewritten to its English
// text, with each argument put back where the English message prints it;
// the English classifier then reads it as usual. English lines never get
// here: they are events, or they fail a one-byte look-up first.

// A catalogRole says how pgtail uses a message of the catalog.
type catalogRole uint8

const (
	roleEvent    catalogRole = iota + 1 // a LOG message that is an event
	roleHead                            // the start of an authorized line; pieces follow
	rolePiece                           // a piece appended to an authorized line
	roleFatal                           // a FATAL that refuses a connection
	roleDetail                          // an authentication failure's DETAIL reason
	roleSeverity                        // a severity word: LOG, FATAL, …
	roleLabel                           // a follow-up line's label: "DETAIL:  ", …
	roleUnknown                         // "[unknown]" in the prefix
)

// A catalogEntry is one translation of one English message (id).
type catalogEntry struct {
	lang     string
	role     catalogRole
	versions string // the server versions whose catalogs hold it
	id, text string
	lits     []string // text cut at its conversions: len(caps)+1 literals
	caps     []uint8  // per capture, the conversion of id it prints
	en       []string // id cut at its conversions
	num      []bool   // per capture, a number (%d, %02d, %lu): digits only (set at init)
}

var minus = []byte{'-'}

// numericCaps returns, per capture of e, whether it must be a number: the
// conversion of id it prints is an integer one (%d, %02d, %lu), and no
// conversion is next to it, whose text it could share. A translation is
// found at the first place of each literal: a capture that ran over text
// would make up a message (and names) the server did not write.
func numericCaps(e *catalogEntry) []bool {
	kinds := intConversions(e.id)
	num := make([]bool, len(e.caps))
	for k, c := range e.caps {
		alone := (k == 0 || e.lits[k] != "") && (k == len(e.caps)-1 || e.lits[k+1] != "")
		num[k] = alone && int(c) < len(kinds) && kinds[c]
	}
	return num
}

// intConversions returns, per printf conversion of format, whether it
// prints an integer.
func intConversions(format string) []bool {
	var kinds []bool
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		j := i + 1
		for j < len(format) && strings.IndexByte("0123456789.-+ #l$", format[j]) >= 0 {
			j++
		}
		if j < len(format) && format[j] != '%' {
			kinds = append(kinds, strings.IndexByte("diux", format[j]) >= 0)
		}
		i = j
	}
	return kinds
}

// classifyMsg classifies a whole message of a csvlog or jsonlog record,
// which may hold newlines (the French disconnection does).
func classifyMsg(st *Stats, sev severity, msg []byte, ev *Event, nt *interner) bool {
	if classify(sev, msg, ev, nt) {
		return true
	}
	if hasHighByte(msg) {
		st.Foreign++
	}
	tr, _ := localize(sev, msg)
	if tr != nil && classify(sev, tr, ev, nt) {
		st.Localized++
		return true
	}
	return false
}

// A patterns holds the translated messages of one kind, by the first byte
// of their text; open are those whose text starts with a conversion.
type patterns struct {
	first [256][]*catalogEntry
	open  []*catalogEntry
	// A quick look before any matching: the second bytes (mod 64) of
	// the texts, by their first; the last bytes of the open ones.
	second   [256]uint64
	openLast [256]bool
}

func (p *patterns) add(e *catalogEntry) {
	if l := e.lits[0]; l == "" {
		p.open = append(p.open, e)
		last := e.lits[len(e.lits)-1]
		if last == "" {
			p.openLast = [256]bool{}
			for i := range p.openLast {
				p.openLast[i] = true
			}
		} else {
			p.openLast[last[len(last)-1]] = true
		}
	} else {
		p.first[l[0]] = append(p.first[l[0]], e)
		if len(l) < 2 {
			p.second[l[0]] = ^uint64(0)
		} else {
			p.second[l[0]] |= 1 << (l[1] & 63)
		}
	}
}

// mayMatch is the quick look: false when no text of p can be msg's.
func (p *patterns) mayMatch(msg []byte) bool {
	return len(msg) > 1 && p.second[msg[0]]&(1<<(msg[1]&63)) != 0 || len(msg) > 0 && p.openLast[msg[len(msg)-1]]
}

// sort puts the longer texts first, so that a whole 12/13 authorized line
// is tried before the head it starts with.
func (p *patterns) sort() {
	for i := range p.first {
		sort.SliceStable(p.first[i], func(a, b int) bool { return literalLen(p.first[i][a]) > literalLen(p.first[i][b]) })
	}
}

func literalLen(e *catalogEntry) int {
	n := 0
	for _, l := range e.lits {
		n += len(l)
	}
	return n
}

// A localCatalog is the catalog, indexed.
type localCatalog struct {
	log, fatal, detail patterns
	pieces             map[string][]*catalogEntry // by language, last piece of a line first
	words              map[string]severity        // translated severity words and labels, without ":  "
	byLast             [256][]string              // the words by their last byte
	detailWords        map[string]bool            // the DETAIL label in every language
	unknown            map[string]bool            // "[unknown]" in every language
	starts             [256][]start               // how translated LOG events start (logEventStart)
}

var local = func() (l localCatalog) {
	l.pieces = map[string][]*catalogEntry{}
	l.words = map[string]severity{}
	l.detailWords = map[string]bool{"DETAIL": true}
	l.unknown = map[string]bool{"[unknown]": true}
	for i := range catalog {
		e := &catalog[i]
		e.num = numericCaps(e)
		switch e.role {
		case roleSeverity, roleLabel:
			w := strings.TrimSuffix(strings.TrimSuffix(e.lits[0], "\n"), ":  ")
			sev := severityOf([]byte(strings.TrimSuffix(e.en[0], ":  ")))
			if sev == sevNone || w == "" || severityOf([]byte(w)) != sevNone {
				continue
			}
			l.words[w] = sev
			if e.id == "DETAIL:  " {
				l.detailWords[w] = true
			}
			continue
		case roleUnknown:
			l.unknown[e.text] = true
			continue
		}
		if e.text == e.id {
			continue // read as English
		}
		switch e.role {
		case roleEvent, roleHead:
			l.log.add(e)
			l.addStart(e)
		case roleFatal:
			l.fatal.add(e)
		case roleDetail:
			l.detail.add(e)
		case rolePiece:
			l.pieces[e.lang] = append(l.pieces[e.lang], e)
		}
	}
	for w := range l.words {
		c := w[len(w)-1]
		l.byLast[c] = append(l.byLast[c], w)
	}
	for _, ps := range l.pieces {
		// The pieces that end the line (GSS, SSL: they end with ")") first.
		sort.SliceStable(ps, func(a, b int) bool { return pieceRank(ps[a]) < pieceRank(ps[b]) })
	}
	l.log.sort()
	l.fatal.sort()
	l.detail.sort()
	return l
}()

func pieceRank(e *catalogEntry) int {
	switch {
	case strings.Contains(e.id, "GSS"):
		return 0
	case strings.Contains(e.id, "SSL"):
		return 1
	case strings.Contains(e.id, "application_name"):
		return 2
	}
	return 3
}

// addStart records how a translated LOG event starts, for logEventStart.
// "starting %s" ("%s startet", "\"%s\"-ის გაშვება") starts with its
// argument, PostgreSQL's version string "PostgreSQL 15.20 …"; csvlog writes
// it in a quoted field and jsonlog in a JSON string.
func (l *localCatalog) addStart(e *catalogEntry) {
	s := e.lits[0]
	if e.id == "starting %s" {
		s += "PostgreSQL "
	}
	s = s[:min(len(s), 16)]
	for _, v := range []string{s, strings.ReplaceAll(s, `"`, `""`), strings.ReplaceAll(s, `"`, `\"`)} {
		l.starts[v[0]] = addStart(l.starts[v[0]], v)
	}
}

// translatedWord returns the severity of a translated severity word or
// label that ends b (the text before ":  "), and where the word starts.
func translatedWord(b []byte) (severity, int) {
	if len(b) == 0 {
		return sevNone, 0
	}
	for _, w := range local.byLast[b[len(b)-1]] {
		if len(b) >= len(w) && string(b[len(b)-len(w):]) == w {
			return local.words[w], len(b) - len(w)
		}
	}
	return sevNone, 0
}

// localize returns the English text of a translated LOG or FATAL message,
// or nil. more reports a message whose translation goes on past a newline
// that msg does not hold yet: on stderr, the rest is on the next lines,
// each starting with a TAB.
func localize(sev severity, msg []byte) (english []byte, more bool) {
	p := &local.log
	if sev == sevFatal {
		p = &local.fatal
	}
	return p.translate(msg)
}

// localizeDetail returns the English text of a translated DETAIL reason,
// or nil.
func localizeDetail(msg []byte) []byte {
	en, _ := local.detail.translate(msg)
	return en
}

func (p *patterns) translate(msg []byte) (english []byte, more bool) {
	if !p.mayMatch(msg) {
		return nil, false
	}
	var caps [16][]byte
	for _, set := range [2][]*catalogEntry{p.first[msg[0]], p.open} {
		for _, e := range set {
			if len(e.caps) > len(caps) {
				continue
			}
			ok, cont := e.match(msg, caps[:len(e.caps)])
			if cont {
				more = true
			}
			if !ok {
				continue
			}
			out := e.english(caps[:len(e.caps)])
			if e.role == roleHead {
				out = translatePieces(e.lang, out, len(e.en[0]))
			}
			return out, false
		}
	}
	return nil, more
}

// match reports whether msg is e's translation, with the text of each
// capture in caps. A literal is found at its first place after the
// capture before it, the last one at the end of msg. cont reports a msg
// that matches up to a literal holding a newline and ends there.
func (e *catalogEntry) match(msg []byte, caps [][]byte) (ok, cont bool) {
	if !bytes.HasPrefix(msg, []byte(e.lits[0])) {
		return false, false
	}
	n := len(e.caps)
	if n == 0 {
		return len(msg) == len(e.lits[0]), false
	}
	pos := len(e.lits[0])
	for k := 0; k < n; k++ {
		lit := e.lits[k+1]
		rest := msg[pos:]
		switch {
		case k == n-1 && lit == "":
			caps[k], pos = rest, len(msg)
		case k == n-1:
			if !bytes.HasSuffix(rest, []byte(lit)) {
				return false, endsBeforeNewline(rest, lit)
			}
			caps[k], pos = rest[:len(rest)-len(lit)], len(msg)
		case lit == "":
			caps[k] = rest[:0] // two conversions in a row: the next one takes the text
		default:
			i := bytes.Index(rest, []byte(lit))
			if i < 0 {
				return false, endsBeforeNewline(rest, lit)
			}
			caps[k], pos = rest[:i], pos+i+len(lit)
		}
	}
	for k, c := range caps {
		if k < len(e.num) && e.num[k] && !digits(bytes.TrimPrefix(c, minus)) {
			return false, false
		}
	}
	return true, false
}

// endsBeforeNewline reports whether rest, a line, ends where lit's newline
// would be.
func endsBeforeNewline(rest []byte, lit string) bool {
	k := strings.IndexByte(lit, '\n')
	return k >= 0 && bytes.IndexByte(rest, '\n') < 0 && bytes.HasSuffix(rest, []byte(lit[:k]))
}

// english writes the English message with the captured arguments.
func (e *catalogEntry) english(caps [][]byte) []byte {
	n := len(e.en[0])
	for _, c := range caps {
		n += len(c)
	}
	for _, l := range e.en[1:] {
		n += len(l)
	}
	out := make([]byte, 0, n)
	for j, l := range e.en {
		out = append(out, l...)
		if j == len(e.en)-1 {
			break
		}
		for k, c := range e.caps {
			if int(c) == j {
				out = append(out, caps[k]...)
				break
			}
		}
	}
	return out
}

// translatePieces rewrites the translated pieces of an authorized line
// (" Datenbank=%s", " SSL an (…)", …) after its head, which ends at from.
// The pieces that end the line are matched whole at their last place;
// the others are markers before a value, rewritten at their first place,
// as parseAuthorized reads them.
func translatePieces(lang string, line []byte, from int) []byte {
	var caps [16][]byte
	for _, p := range local.pieces[lang] {
		if len(p.caps) > len(caps) {
			continue
		}
		rest := line[from:]
		if len(p.caps) == 1 && p.lits[1] == "" {
			if k := bytes.Index(rest, []byte(p.lits[0])); k >= 0 {
				k += from
				line = append(line[:k:k], append([]byte(p.en[0]), line[k+len(p.lits[0]):]...)...)
			}
			continue
		}
		k := bytes.LastIndex(rest, []byte(p.lits[0]))
		if k < 0 {
			continue
		}
		k += from
		if ok, _ := p.match(line[k:], caps[:len(p.caps)]); ok {
			line = append(line[:k:k], p.english(caps[:len(p.caps)])...)
		}
	}
	return line
}
