package aggregate

// ByHost counts the open sessions that pass f by client host ("[local]"
// for a Unix socket; "unknown" when the log did not say).
func (s *State) ByHost(f Filter) []Row {
	m := map[string]int{}
	for _, ss := range s.sessions {
		if n := s.names[ss.name]; f.Match(n) {
			h := ss.host
			if h == "" {
				h = Unknown
			}
			m[h]++
		}
	}
	for _, list := range s.anon {
		for _, a := range list {
			if f.Match(s.names[a.name]) {
				m[Unknown]++
			}
		}
	}
	return rows(m)
}
