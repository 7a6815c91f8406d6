package parse

import (
	"testing"
	"time"
)

// TestParseTimestampSameDay: the time stamps read from a cached midnight
// are exactly those time.Date gives, across days, zones, a leap second
// and a day that does not exist.
func TestParseTimestampSameDay(t *testing.T) {
	var zc zoneCache
	for _, s := range []string{
		"2026-11-24 10:00:00.123 UTC", "2026-11-24 23:59:59.999 UTC", "2026-11-24 00:00:00 UTC",
		"2026-11-25 00:00:01.5 UTC", "2026-11-25 00:00:01.5 CET", "2026-11-25 13:14:15.161718 CET",
		"2026-11-25 13:14:15 +05:45", "2026-11-25 13:14:15 -03", "2026-12-31 23:59:60.250 UTC",
		"2026-02-30 12:00:00 UTC", "2026-02-30 12:00:01 XYZ", "2026-11-25 13:14:15 UTC",
		// the same second again (the second's cache), in another zone too
		"2026-11-25 13:14:15.250 UTC", "2026-11-25 13:14:15.250 CET", "2026-11-25 13:14:15 CET", "2026-11-25 13:14:15.7 UTC",
	} {
		got, ok := zc.parseTimestamp([]byte(s))
		if !ok {
			t.Fatalf("%q not read", s)
		}
		var fresh zoneCache
		loc, _ := fresh.lookup([]byte(s[len(s)-len(zoneOf(s)):]))
		want := time.Date(atoi([]byte(s[0:4])), time.Month(atoi([]byte(s[5:7]))), atoi([]byte(s[8:10])),
			atoi([]byte(s[11:13])), atoi([]byte(s[14:16])), atoi([]byte(s[17:19])), nanos(s), loc)
		if !got.Equal(want) || got.String() != want.String() {
			t.Errorf("%q: %v, want %v", s, got, want)
		}
	}
}

func zoneOf(s string) string {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == ' ' {
			return s[i+1:]
		}
	}
	return s
}

func nanos(s string) int {
	if s[19] != '.' {
		return 0
	}
	n, k := 0, 0
	for _, c := range s[20:] {
		if c < '0' || c > '9' {
			break
		}
		n, k = n*10+int(c-'0'), k+1
	}
	for ; k < 9; k++ {
		n *= 10
	}
	return n
}

// A stamp of the second just read is still checked past the second.
func TestParseTimestampSameSecondChecked(t *testing.T) {
	var zc zoneCache
	if _, ok := zc.parseTimestamp([]byte("2026-11-25 13:14:15.100 UTC")); !ok {
		t.Fatal("not read")
	}
	for _, s := range []string{"2026-11-25 13:14:15. UTC", "2026-11-25 13:14:15.1x UTC", "2026-11-25 13:14:15.100", "2026-11-25 13:14:15.100 U7C", "2026-11-25 13:14:15.100  "} {
		if tm, ok := zc.parseTimestamp([]byte(s)); ok {
			t.Errorf("%q read as %v", s, tm)
		}
	}
}

// TestParseTimestampNextSecond reads stamps that differ from the one
// before in one byte of their second, each byte in turn (the cached
// second must be compared in full), and in their fraction.
func TestParseTimestampNextSecond(t *testing.T) {
	const first = "2026-11-25 13:14:15.100 UTC"
	want0 := time.Date(2026, 11, 25, 13, 14, 15, 100e6, time.UTC)
	for i := 0; i < 19; i++ {
		b := []byte(first)
		if b[i] < '0' || b[i] > '9' {
			continue
		}
		b[i] = '1' + (b[i]-'0'+1)%9 // another digit, never 0: still a date
		want, err := time.Parse("2006-01-02 15:04:05.000 MST", string(b))
		if err != nil {
			continue // not a date (month 13): not this test's
		}
		var zc zoneCache
		if tm, ok := zc.parseTimestamp([]byte(first)); !ok || !tm.Equal(want0) {
			t.Fatalf("%s read as %v, %v", first, tm, ok)
		}
		if tm, ok := zc.parseTimestamp(b); !ok || !tm.Equal(want) || tm != want.In(time.UTC) {
			t.Errorf("%s after %s read as %v, %v; want %v", b, first, tm, ok, want)
		}
	}
	var zc zoneCache
	for _, tc := range []struct {
		in   string
		nsec int
	}{{"2026-11-25 13:14:15.100 UTC", 100e6}, {"2026-11-25 13:14:15.25 UTC", 250e6}, {"2026-11-25 13:14:15.123456 UTC", 123456e3}, {"2026-11-25 13:14:15 UTC", 0}, {"2026-11-25 13:14:15.999 UTC", 999e6}} {
		tm, ok := zc.parseTimestamp([]byte(tc.in))
		if want := time.Date(2026, 11, 25, 13, 14, 15, tc.nsec, time.UTC); !ok || tm != want {
			t.Errorf("%s read as %v, %v; want %v", tc.in, tm, ok, want)
		}
	}
}
