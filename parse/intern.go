package parse

// An interner turns the names of the event lines (user, database,
// application, host, port, a failure's reason) into strings without an
// allocation per event: on a connection storm the same few names come
// back on every line. It is a direct-mapped cache of strings, so it is
// bounded however many distinct names the log holds: a new name takes
// its slot from the name there before (a hostile or busy log only costs
// the allocations it would have cost anyway). The zero value is ready;
// a nil *interner allocates every string.
type interner struct {
	slots [internSlots]string
}

const (
	internSlots  = 1024 // a power of two
	maxInternLen = 128  // longer values are allocated, not kept
)

// str returns string(b), the same string as for the same bytes before
// when it is still in its slot.
func (n *interner) str(b []byte) string {
	if n == nil || len(b) > maxInternLen {
		return string(b)
	}
	if len(b) == 0 {
		return ""
	}
	h := uint32(2166136261) // FNV-1a
	for _, c := range b {
		h = (h ^ uint32(c)) * 16777619
	}
	s := &n.slots[h&(internSlots-1)]
	if *s != string(b) {
		*s = string(b)
	}
	return *s
}
