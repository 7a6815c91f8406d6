package aggregate

import (
	"math"
	"testing"
	"time"
)

// A sum of session times does not wrap to negative (issue 12).
func TestSketchSumSaturates(t *testing.T) {
	longest := time.Duration(math.MaxInt64)
	var k sketch
	k.Add(longest)
	k.Sum = math.MaxInt64 - 5 // as after a million such sessions
	k.Add(longest)
	if k.Sum != math.MaxInt64 {
		t.Errorf("Sum = %d, want it to stop at MaxInt64", k.Sum)
	}
	var m sketch
	m.Add(time.Second)
	m.Merge(k)
	if m.Sum != math.MaxInt64 || m.Max != longest.Milliseconds() {
		t.Errorf("Merge: Sum = %d, Max = %d", m.Sum, m.Max)
	}
	if s := m.stats(""); s.Mean < 0 || s.Max != longest.Truncate(time.Millisecond) {
		t.Errorf("Stats = %+v", s)
	}
}
