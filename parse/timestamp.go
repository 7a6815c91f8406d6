package parse

import (
	"encoding/binary"
	"time"
)

// zoneOffsets maps the time zone abbreviations PostgreSQL commonly prints
// to their offset from UTC in seconds. An abbreviation that is not listed
// keeps its name with offset 0: wall-clock times stay exactly as logged,
// only comparisons across zones are off.
var zoneOffsets = map[string]int{
	"UTC": 0, "GMT": 0, "Z": 0, "UCT": 0, "WET": 0, "WEST": 3600,
	"BST": 3600, "IST": 3600, "CET": 3600, "CEST": 7200, "MET": 3600, "MEST": 7200,
	"EET": 7200, "EEST": 10800, "MSK": 10800,
	"EST": -5 * 3600, "EDT": -4 * 3600, "CST": -6 * 3600, "CDT": -5 * 3600,
	"MST": -7 * 3600, "MDT": -6 * 3600, "PST": -8 * 3600, "PDT": -7 * 3600,
	"AKST": -9 * 3600, "AKDT": -8 * 3600, "HST": -10 * 3600,
	"AST": -4 * 3600, "ADT": -3 * 3600, "NST": -12600, "NDT": -9000,
	"JST": 9 * 3600, "KST": 9 * 3600, "HKT": 8 * 3600, "SGT": 8 * 3600, "AWST": 8 * 3600,
	"ACST": 34200, "ACDT": 37800, "AEST": 10 * 3600, "AEDT": 11 * 3600,
	"NZST": 12 * 3600, "NZDT": 13 * 3600, "SAST": 7200, "WIB": 7 * 3600, "PKT": 5 * 3600,
}

// zoneCache remembers the last zone seen, so the common case of one zone
// per log costs no allocation and no map lookup.
type zoneCache struct {
	name string
	loc  *time.Location

	// The midnight of the last date read, in the zone of that read: a
	// time stamp of the same day is that plus its time of day (every
	// zone here is a fixed offset), without time.Date's calendar work.
	day      [10]byte
	dayLoc   *time.Location
	midnight int64 // Unix seconds

	// The second of the last time stamp read ("YYYY-MM-DD HH:MM:SS"), in
	// the zone of that read: a stamp of the same second is that plus its
	// fraction.
	sec    [19]byte
	secLoc *time.Location
	unix   int64 // sec in Unix seconds
}

func (c *zoneCache) lookup(b []byte) (*time.Location, bool) {
	if c.loc != nil && string(b) == c.name {
		return c.loc, true
	}
	off, ok := zoneOffset(b)
	if !ok {
		return nil, false
	}
	c.name = string(b)
	if off == 0 && (c.name == "UTC" || c.name == "Z") {
		c.loc = time.UTC
	} else {
		c.loc = time.FixedZone(c.name, off)
	}
	return c.loc, true
}

// zoneOffset reads an abbreviation (letters) or a numeric offset (+03,
// -0330, +05:45).
func zoneOffset(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 8 {
		return 0, false
	}
	if b[0] == '+' || b[0] == '-' {
		var d []byte
		for _, c := range b[1:] {
			switch {
			case c >= '0' && c <= '9':
				d = append(d, c)
			case c == ':':
			default:
				return 0, false
			}
		}
		var h, m int
		switch len(d) {
		case 1, 2:
			h = atoi(d)
		case 3, 4:
			h, m = atoi(d[:len(d)-2]), atoi(d[len(d)-2:])
		default:
			return 0, false
		}
		off := h*3600 + m*60
		if b[0] == '-' {
			off = -off
		}
		return off, true
	}
	for _, c := range b {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return 0, false
		}
	}
	return zoneOffsets[string(b)], true
}

func atoi(b []byte) int {
	n := 0
	for _, c := range b {
		n = n*10 + int(c-'0')
	}
	return n
}

func digits(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// minStamp is the length of the shortest time stamp parseTimestamp reads.
const minStamp = len("YYYY-MM-DD HH:MM:SS Z")

// parseTimestamp reads PostgreSQL's "YYYY-MM-DD HH:MM:SS[.mmm] ZONE"
// (%t, %m, csvlog and jsonlog time stamps).
func (c *zoneCache) parseTimestamp(b []byte) (time.Time, bool) {
	if len(b) < minStamp {
		return time.Time{}, false
	}
	// A busy log has many stamps in a second: one read before is not
	// checked and computed again.
	same := c.secLoc != nil && sameSecond(b, &c.sec)
	if !same && (b[4] != '-' || b[7] != '-' || b[10] != ' ' || b[13] != ':' || b[16] != ':' ||
		!digits(b[0:4]) || !digits(b[5:7]) || !digits(b[8:10]) || !digits(b[11:13]) || !digits(b[14:16]) || !digits(b[17:19])) {
		return time.Time{}, false
	}
	rest := b[19:]
	nsec := 0
	if len(rest) > 4 && rest[0] == '.' && isDigit(rest[1]) && isDigit(rest[2]) && isDigit(rest[3]) && !isDigit(rest[4]) {
		// %m's milliseconds
		nsec = (int(rest[1]-'0')*100 + int(rest[2]-'0')*10 + int(rest[3]-'0')) * 1e6
		rest = rest[4:]
	} else if rest[0] == '.' {
		i := 1
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		frac := rest[1:i]
		if len(frac) == 0 || len(frac) > 9 {
			return time.Time{}, false
		}
		nsec = atoi(frac)
		for k := len(frac); k < 9; k++ {
			nsec *= 10
		}
		rest = rest[i:]
	}
	if len(rest) < 2 || rest[0] != ' ' {
		return time.Time{}, false
	}
	loc, ok := c.lookup(rest[1:])
	if !ok {
		return time.Time{}, false
	}
	if same && loc == c.secLoc {
		return time.Unix(c.unix, int64(nsec)).In(loc), true
	}
	mon, day := atoi(b[5:7]), atoi(b[8:10])
	hh, mm, ss := atoi(b[11:13]), atoi(b[14:16]), atoi(b[17:19])
	if mon < 1 || mon > 12 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60 {
		return time.Time{}, false
	}
	if loc != c.dayLoc || string(b[:10]) != string(c.day[:]) {
		c.midnight = time.Date(atoi(b[0:4]), time.Month(mon), day, 0, 0, 0, 0, loc).Unix()
		c.dayLoc = loc
		copy(c.day[:], b[:10])
	}
	c.unix = c.midnight + int64(hh*3600+mm*60+ss)
	c.secLoc = loc
	copy(c.sec[:], b[:19])
	return time.Unix(c.unix, int64(nsec)).In(loc), true
}

// sameSecond reports whether b starts with the 19 bytes of sec: in
// three loads each, where a comparison of strings calls memequal.
func sameSecond(b []byte, sec *[19]byte) bool {
	le := binary.LittleEndian
	return len(b) >= 19 && le.Uint64(b) == le.Uint64(sec[:]) && le.Uint64(b[8:]) == le.Uint64(sec[8:]) &&
		le.Uint32(b[15:]) == le.Uint32(sec[15:])
}

// parseEpoch reads %n: Unix seconds with milliseconds, "1795646476.694".
func parseEpoch(b []byte) (time.Time, bool) {
	dot := -1
	for i, c := range b {
		if c == '.' && dot < 0 {
			dot = i
		} else if c < '0' || c > '9' {
			return time.Time{}, false
		}
	}
	if dot <= 0 || dot == len(b)-1 || dot > 12 || len(b)-dot-1 > 9 {
		return time.Time{}, false
	}
	sec := atoi(b[:dot])
	frac := b[dot+1:]
	nsec := atoi(frac)
	for k := len(frac); k < 9; k++ {
		nsec *= 10
	}
	return time.Unix(int64(sec), int64(nsec)).UTC(), true
}
