package format

import (
	"testing"
	"time"
)

func TestSessionTime(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0.0s"},
		{32 * time.Millisecond, "0.0s"},
		{2300 * time.Millisecond, "2.3s"},
		{59900 * time.Millisecond, "59.9s"},
		{time.Minute, "1m0s"},
		{90500 * time.Millisecond, "1m31s"},
		{time.Hour + 2*time.Minute + 3400*time.Millisecond, "1h2m3s"},
		{123*time.Hour + 4*time.Minute + 5678*time.Millisecond, "123h4m6s"},
	}
	for _, tc := range tests {
		if got := sessionTime(tc.d); got != tc.want {
			t.Errorf("sessionTime(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}
