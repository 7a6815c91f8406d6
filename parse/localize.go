package parse

import (
	"bytes"
)

// Translated messages (lc_messages). pgtail reads German and French
// connection lines by rewriting them to the English text; other
// languages are detected (Stats.Foreign) and reported, not read.

// A translation rewrites a message that starts with from: the start
// becomes to, and each pair in marks is replaced once, in order.
type translation struct {
	from, to string
	marks    []string // from, to, from, to, …
	quoted   bool     // the name is in »…« or «…» quotes: make them "…"
}

// translations are the connection and lifecycle messages read so far;
// the refusals' translated forms are listed with them (classify.go).
var translations = append([]translation{
	// German (de)
	{from: "Verbindung empfangen: Host=", to: "connection received: host=", marks: []string{" Port=", " port="}},
	{from: "Verbindung autorisiert: Benutzer=", to: "connection authorized: user=",
		marks: []string{" Datenbank=", " database=", " SSL an (Protokoll=", " SSL enabled (protocol="}},
	{from: "Replikationsverbindung autorisiert: Benutzer=", to: "replication connection authorized: user=",
		marks: []string{" SSL an (Protokoll=", " SSL enabled (protocol="}},
	{from: "Verbindungsende: Sitzungszeit: ", to: "disconnection: session time: ",
		marks: []string{" Benutzer=", " user=", " Datenbank=", " database=", " Host=", " host="}},
	{from: "Datenbanksystem ist heruntergefahren", to: "database system is shut down"},
	{from: "alle Serverprozesse beendet; initialisiere neu", to: "all server processes terminated; reinitializing"},
	// French (fr)
	{from: "connexion reçue : hôte=", to: "connection received: host="},
	{from: "connexion autorisée : utilisateur=", to: "connection authorized: user=",
		marks: []string{", base de données=", " database=", " base de données ", " database=", " SSL activé (protocole : ", " SSL enabled (protocol="}},
	{from: "connexion de réplication autorisée : utilisateur=", to: "replication connection authorized: user=",
		marks: []string{" SSL activé (protocole : ", " SSL enabled (protocol="}},
	{from: "déconnexion : durée de la session : ", to: "disconnection: session time: ",
		marks: []string{"\nutilisateur=", " user=", " base=", " database=", " hôte=", " host="}},
	{from: "le système de base de données est arrêté", to: "database system is shut down"},
}, refusalTranslations()...)

// classifyMsg classifies a whole message of a csvlog or jsonlog record,
// which may hold newlines (the French disconnection does).
func classifyMsg(st *Stats, sev severity, msg []byte, ev *Event, nt *interner) bool {
	if classify(sev, msg, ev, nt) {
		return true
	}
	if hasHighByte(msg) {
		st.Foreign++
	}
	if len(msg) == 0 || !localStart[msg[0]] {
		return false
	}
	tr, _ := localize(msg)
	if tr != nil && classify(sev, tr, ev, nt) {
		st.Localized++
		return true
	}
	return false
}

// localStart marks the first bytes of the translated messages, so that
// an English line that is no event costs one lookup.
var localStart = func() (t [256]bool) {
	for _, tr := range translations {
		t[tr.from[0]] = true
	}
	return t
}()

// localize returns the English form of a translated connection message,
// or nil. more reports a French disconnection whose second line (a
// continuation starting with a TAB) is not part of msg yet.
func localize(msg []byte) (english []byte, more bool) {
	for _, t := range translations {
		if !bytes.HasPrefix(msg, []byte(t.from)) {
			continue
		}
		rest := msg[len(t.from):]
		if t.from == "déconnexion : durée de la session : " && bytes.IndexByte(rest, '\n') < 0 {
			return []byte("disconnection: session time: "), true
		}
		out := append([]byte(t.to), rest...)
		if t.quoted {
			name, ok := guillemets(rest)
			if !ok {
				return nil, false
			}
			out = append(append(append([]byte(t.to), '"'), name...), '"')
		}
		pos := len(t.to)
		for i := 0; i+1 < len(t.marks); i += 2 {
			k := bytes.Index(out[pos:], []byte(t.marks[i]))
			if k < 0 {
				continue
			}
			k += pos
			out = append(out[:k], append([]byte(t.marks[i+1]), out[k+len(t.marks[i]):]...)...)
			pos = k + len(t.marks[i+1])
		}
		return out, false
	}
	return nil, false
}

// guillemets returns the name inside »…« (German) or « … » (French, with
// spaces or no-break spaces inside the quotes) at the start of b, allowing
// leading spaces.
func guillemets(b []byte) ([]byte, bool) {
	b = bytes.TrimLeft(b, " ")
	for _, q := range [][2]string{{"»", "«"}, {"«", "»"}} {
		if !bytes.HasPrefix(b, []byte(q[0])) {
			continue
		}
		b = b[len(q[0]):]
		e := bytes.LastIndex(b, []byte(q[1]))
		if e < 0 {
			return nil, false
		}
		name := b[:e]
		for _, sp := range []string{" ", "\u00a0", "\u202f"} {
			name = bytes.TrimPrefix(name, []byte(sp))
			name = bytes.TrimSuffix(name, []byte(sp))
		}
		return name, true
	}
	return nil, false
}
