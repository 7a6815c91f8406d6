package parse

import "bytes"

type severity uint8

const (
	sevNone   severity = iota // no severity word: the line is skipped
	sevLog                    // LOG
	sevFatal                  // FATAL
	sevOther                  // another entry severity: ERROR, WARNING, …
	sevDetail                 // a follow-up line of the entry above: DETAIL, HINT, …
	sevBlank                  // a blank line, or a TAB continuation of the entry above
)

var colon2 = []byte(":  ")

// lineSeverity reads the severity of a stderr-format line: "PREFIX
// SEVERITY:  message". word is where the severity word starts (the prefix
// ends) and msg where the message starts. The event path (stderr.go) and
// the exact count of the fast path (block.count) both go through it, so
// they count the same lines.
func lineSeverity(line []byte) (sev severity, word, msg int) {
	if len(line) == 0 || line[0] == '\t' {
		return sevBlank, 0, 0
	}
	i := indexColon2(line)
	if i < 0 {
		return sevNone, 0, 0
	}
	sev, j := severityAt(line, i)
	return sev, j, i + len(colon2)
}

// indexColon2 is bytes.Index(line, colon2). The ":  " after the severity
// is near the start of a line, and the time stamp's colons before it
// would each cost bytes.Index a restart on a long line: the first 64
// bytes are searched in one step (bytealg's brute force), then the rest.
func indexColon2(line []byte) int {
	const head = 64
	if len(line) <= head {
		return bytes.Index(line, colon2)
	}
	if i := bytes.Index(line[:head], colon2); i >= 0 {
		return i
	}
	if i := bytes.Index(line[head-len(colon2)+1:], colon2); i >= 0 {
		return i + head - len(colon2) + 1
	}
	return -1
}

// severityAt returns the severity word or label that ends where line's
// first ":  " is (at i), and where the word starts. Translated words
// (from the catalogs, localize.go) are looked for only when the English
// ones are not there.
func severityAt(line []byte, i int) (severity, int) {
	if i >= 3 && line[i-1] == 'G' && line[i-2] == 'O' && line[i-3] == 'L' && (i == 3 || !upperOrDigit(line[i-4])) {
		return sevLog, i - 3 // most lines
	}
	j := i
	for j > 0 && upperOrDigit(line[j-1]) {
		j--
	}
	if sev := severityOf(line[j:i]); sev != sevNone {
		return sev, j
	}
	sev, k := translatedWord(line[:i])
	if sev == sevNone || k > 0 && upperOrDigit(line[k-1]) {
		return sevNone, j
	}
	return sev, k
}

func upperOrDigit(c byte) bool { return c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' }

// count adds a line of severity sev to Stats.Entries or Stats.Skipped.
func (sev severity) count(entries, skipped *int) {
	switch sev {
	case sevNone:
		*skipped++
	case sevLog, sevFatal, sevOther:
		*entries++
	}
}

func severityOf(b []byte) severity {
	switch string(b) {
	case "LOG":
		return sevLog
	case "FATAL":
		return sevFatal
	case "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG", "PANIC",
		"DEBUG1", "DEBUG2", "DEBUG3", "DEBUG4", "DEBUG5":
		return sevOther
	case "DETAIL", "HINT", "QUERY", "CONTEXT", "LOCATION", "STATEMENT", "BACKTRACE":
		return sevDetail
	}
	return sevNone
}

// recordSeverity maps a csvlog or jsonlog severity to what classify
// needs. csvlog severities are translated with lc_messages (the words
// come from the catalogs); jsonlog's are not.
func recordSeverity(s string) severity {
	switch s {
	case "LOG":
		return sevLog
	case "FATAL":
		return sevFatal
	}
	if sev, ok := local.words[s]; ok && (sev == sevLog || sev == sevFatal) {
		return sev
	}
	return sevOther
}
