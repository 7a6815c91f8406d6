package format

import (
	"fmt"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// terminalSafeJSON rewrites the runes that encoding/json leaves raw but a
// terminal may act on: DEL, the C1 controls (U+009B is CSI to some
// terminals), and format characters such as the bidi overrides (U+202E).
// They become \uXXXX escapes, which decode to the same string, so --json
// on a terminal is as safe as the text views. encoding/json itself
// escapes C0 controls and U+2028/U+2029, and replaces invalid UTF-8.
func terminalSafeJSON(b []byte) []byte {
	var out []byte // nil while nothing needed escaping
	for i := 0; i < len(b); {
		if b[i] < 0x7f {
			if out != nil {
				out = append(out, b[i])
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == 0x7f || r >= 0x80 && r < 0xa0 || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
			if out == nil {
				out = append([]byte(nil), b[:i]...)
			}
			if r > 0xffff {
				r1, r2 := utf16.EncodeRune(r)
				out = fmt.Appendf(out, `\u%04x\u%04x`, r1, r2)
			} else {
				out = fmt.Appendf(out, `\u%04x`, r)
			}
		} else if out != nil {
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	if out == nil {
		return b
	}
	return out
}
