package parse

import (
	"encoding/binary"
	"math/bits"
	"sync/atomic"
)

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
	internBits   = 10
	internSlots  = 1 << internBits
	maxInternLen = 128 // longer values are allocated, not kept
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
	s := &n.slots[internHash(b)]
	if *s != string(b) {
		*s = string(b)
	}
	return *s
}

// internHash picks the slot of b from its length and its first and last
// eight bytes (all of a shorter one): names that differ mostly differ
// there, and FNV over every byte was 9 % of a worker's event reading.
func internHash(b []byte) uint64 {
	h := uint64(len(b))
	if len(b) >= 8 {
		h ^= binary.LittleEndian.Uint64(b) ^ bits.RotateLeft64(binary.LittleEndian.Uint64(b[len(b)-8:]), 31)
	} else {
		for _, c := range b {
			h = h<<8 ^ uint64(c)
		}
	}
	return (h * 0x9e3779b97f4a7c15) >> (64 - internBits)
}

// portNames holds the port numbers read so far as strings, for every
// reader and worker of the process: a storm over TCP brings a new client
// port with every connection, which would soon take every slot of an
// interner (a string allocated per line). A port is at most 65535, so
// the table is bounded (512 KiB of pointers, touched only where used).
var portNames [1 << 16]atomic.Pointer[string]

// port is str for a client port: from portNames when b is a port number
// as PostgreSQL prints it (digits without a leading zero, at most
// 65535), else from the interner.
func (n *interner) port(b []byte) string {
	if n == nil || len(b) == 0 || len(b) > 5 || b[0] == '0' && len(b) > 1 || !digits(b) {
		return n.str(b)
	}
	v := atoi(b)
	if v > 65535 {
		return n.str(b)
	}
	if p := portNames[v].Load(); p != nil {
		return *p
	}
	s := string(b)
	portNames[v].Store(&s) // a race stores an equal string: either is right
	return s
}
