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
	i := bytes.Index(line, colon2)
	if i < 0 {
		return sevNone, 0, 0
	}
	j := i
	for j > 0 && (line[j-1] >= 'A' && line[j-1] <= 'Z' || line[j-1] >= '0' && line[j-1] <= '9') {
		j--
	}
	return severityOf(line[j:i]), j, i + len(colon2)
}

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
// needs. csvlog severities are translated with lc_messages; jsonlog's
// are not.
func recordSeverity(s string) severity {
	switch s {
	case "LOG":
		return sevLog
	case "FATAL":
		return sevFatal
	}
	if sev, ok := translatedSeverity[s]; ok {
		return sev
	}
	return sevOther
}

// translatedSeverity holds the LOG and FATAL words of the translations
// that change them (de, fr, es, ja, pt_BR and id keep LOG and FATAL).
var translatedSeverity = map[string]severity{
	"LOGG": sevLog, "СООБЩЕНИЕ": sevLog, "ЗАПИСУВАННЯ": sevLog, "DZIENNIK": sevLog, "로그": sevLog, "日志": sevLog,
	"FATALE": sevFatal, "FATALT": sevFatal, "ВАЖНО": sevFatal, "ФАТАЛЬНО": sevFatal, "KATASTROFALNY": sevFatal,
	"치명적오류": sevFatal, "致命错误": sevFatal, "ÖLÜMCÜL (FATAL)": sevFatal,
}
