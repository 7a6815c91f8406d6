package parse

import (
	"slices"
	"unicode/utf8"
)

// jsonView is what the jsonlog decoder reads of a record: views of the
// line (or of the decoder's buffer for values with escapes). A nil name
// was absent or null.
type jsonView struct {
	timestamp, severity, message []byte
	user, db, host, app          []byte
	pid                          int
	port                         []byte // the raw value
}

// The keys jsonView reads, in the bit order of scanJSON's seen.
var jsonKeys = [...]string{"timestamp", "user", "dbname", "pid", "remote_host", "remote_port", "error_severity", "message", "application_name"}

// view is what the reflection decoder read, as a jsonView.
func (rec *jsonRecord) view() jsonView {
	return jsonView{
		timestamp: []byte(rec.Timestamp), severity: []byte(rec.Severity), message: []byte(rec.Message),
		user: optView(rec.User), db: optView(rec.DBName), host: optView(rec.RemoteHost), app: optView(rec.App),
		pid: rec.PID, port: rec.RemotePort,
	}
}

func optView(s *string) []byte {
	if s == nil {
		return nil
	}
	return []byte(*s)
}

// scanJSON reads a jsonlog record the way the server writes it, without
// encoding/json: one flat object whose values are strings, numbers,
// true, false or null, and whose keys have no escapes. It returns false
// for anything else (nested values, \u escapes, invalid UTF-8 in a value
// read, a key read twice or spelled in another case, a value of the wrong
// type, a syntax error), and the record is then left to json.Unmarshal
// into jsonRecord: when it returns true, v is what that would read
// (FuzzScanJSON checks). Escaped values are unescaped into *buf.
func scanJSON(line []byte, v *jsonView, buf *[]byte) bool {
	*v = jsonView{}
	unq := slices.Grow((*buf)[:0], len(line)) // never grows below: the views into it stay valid
	defer func() { *buf = unq }()
	i := skipWS(line, 0)
	if i == len(line) || line[i] != '{' {
		return false
	}
	i = skipWS(line, i+1)
	var seen uint16
	// Where each key of jsonKeys goes, but pid and remote_port.
	dst := [len(jsonKeys)]*[]byte{0: &v.timestamp, 1: &v.user, 2: &v.db, 4: &v.host, 6: &v.severity, 7: &v.message, 8: &v.app}
	if i < len(line) && line[i] == '}' {
		return skipWS(line, i+1) == len(line)
	}
	for {
		// The key.
		if i == len(line) || line[i] != '"' {
			return false
		}
		end := i + 1
		for end < len(line) && line[end] != '"' {
			c := line[end]
			if c == '\\' || c < 0x20 || c >= 0x80 {
				return false // escaped or non-ASCII keys: encoding/json folds them
			}
			end++
		}
		if end == len(line) {
			return false
		}
		key := line[i+1 : end]
		k := -1
		for n, name := range jsonKeys {
			if string(key) == name {
				k = n
				break
			}
			if len(key) == len(name) && asciiEqualFold(key, name) {
				return false // encoding/json would read it case-insensitively
			}
		}
		if k >= 0 {
			if seen&(1<<k) != 0 {
				return false
			}
			seen |= 1 << k
		}
		i = skipWS(line, end+1)
		if i == len(line) || line[i] != ':' {
			return false
		}
		i = skipWS(line, i+1)
		if i == len(line) {
			return false
		}
		// The value.
		start := i
		var str []byte // a string value, unescaped
		isStr, isNull, isInt := false, false, false
		switch c := line[i]; {
		case c == '"':
			isStr = true
			var ok bool
			str, unq, i, ok = scanJSONString(line, i, unq, k >= 0)
			if !ok {
				return false
			}
		case c == '-' || c >= '0' && c <= '9':
			var ok bool
			i, isInt, ok = scanJSONNumber(line, i)
			if !ok {
				return false
			}
		case c == 't' && hasAt(line, i, "true"):
			i += 4
		case c == 'f' && hasAt(line, i, "false"):
			i += 5
		case c == 'n' && hasAt(line, i, "null"):
			i += 4
			isNull = true
		default:
			return false // nested values, or not JSON
		}
		raw := line[start:i]
		switch k {
		case -1:
		case 3: // pid: an int
			switch {
			case isNull:
			case isInt && len(raw) <= 18:
				v.pid = atoiSigned(raw)
			default:
				return false
			}
		case 5: // remote_port: kept raw
			v.port = raw
		default: // strings
			if isNull {
				break
			}
			if !isStr {
				return false
			}
			*dst[k] = str
		}
		i = skipWS(line, i)
		if i == len(line) {
			return false
		}
		switch line[i] {
		case ',':
			i = skipWS(line, i+1)
		case '}':
			return skipWS(line, i+1) == len(line)
		default:
			return false
		}
	}
}

// scanJSONString reads the string that starts at line[i] ('"'). A value
// that is read (keep) must be valid UTF-8, with no \u escape; its
// unescaped form is a view of line, or appended to unq when it has
// escapes. It returns the position after the closing quote.
func scanJSONString(line []byte, i int, unq []byte, keep bool) (str, unq2 []byte, next int, ok bool) {
	j := i + 1
	esc, high := false, false
	for ; ; j++ {
		if j == len(line) {
			return nil, unq, 0, false
		}
		c := line[j]
		if c == '"' {
			break
		}
		switch {
		case c < 0x20:
			return nil, unq, 0, false
		case c >= 0x80:
			high = true
		case c == '\\':
			if j+1 == len(line) {
				return nil, unq, 0, false
			}
			switch line[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if keep {
					return nil, unq, 0, false
				}
				if j+5 >= len(line) || !hexDigits(line[j+2:j+6]) {
					return nil, unq, 0, false
				}
				j += 4
			default:
				return nil, unq, 0, false
			}
			esc = true
			j++
		}
	}
	str = line[i+1 : j]
	if !keep {
		return nil, unq, j + 1, true
	}
	if high && !utf8.Valid(str) {
		return nil, unq, 0, false
	}
	if esc {
		start := len(unq)
		for k := 0; k < len(str); k++ {
			c := str[k]
			if c == '\\' {
				k++
				switch c = str[k]; c {
				case 'b':
					c = '\b'
				case 'f':
					c = '\f'
				case 'n':
					c = '\n'
				case 'r':
					c = '\r'
				case 't':
					c = '\t'
				}
			}
			unq = append(unq, c)
		}
		str = unq[start:]
	}
	return str, unq, j + 1, true
}

// scanJSONNumber reads a JSON number at line[i]; isInt: no fraction or exponent.
func scanJSONNumber(line []byte, i int) (next int, isInt, ok bool) {
	if line[i] == '-' {
		i++
	}
	switch {
	case i == len(line):
		return 0, false, false
	case line[i] == '0':
		i++
	case line[i] >= '1' && line[i] <= '9':
		i = skipDigits(line, i)
	default:
		return 0, false, false
	}
	isInt = true
	if i < len(line) && line[i] == '.' {
		isInt = false
		d := i + 1
		if i = skipDigits(line, d); i == d {
			return 0, false, false
		}
	}
	if i < len(line) && (line[i] == 'e' || line[i] == 'E') {
		isInt = false
		d := i + 1
		if d < len(line) && (line[d] == '+' || line[d] == '-') {
			d++
		}
		if i = skipDigits(line, d); i == d {
			return 0, false, false
		}
	}
	return i, isInt, true
}

func skipDigits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

func hasAt(b []byte, i int, lit string) bool {
	return len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit
}

func asciiEqualFold(b []byte, s string) bool {
	for i := range b {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

func atoiSigned(b []byte) int {
	if len(b) > 0 && b[0] == '-' {
		return -atoi(b[1:])
	}
	return atoi(b)
}
