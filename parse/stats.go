package parse

// Stats describe what a Reader has read so far.
type Stats struct {
	Lines     int    // lines read
	Entries   int    // log entries recognised (a severity after a prefix); see Options.ExactCounts
	Skipped   int    // non-blank lines that are neither entries nor continuations; likewise
	Truncated int    // lines longer than MaxLine, cut
	Prefix    string // the log_line_prefix used for most events
	Loose     int    // events whose prefix matched no known form
	Format    Format // the format read; Auto before anything was read
	Detected  bool   // Format was detected, not given
	// Looks is the format the input's first line looks like, also when
	// Format was given (a --format that does not match it reads nothing).
	Looks     Format
	Localized int // events read from translated (German, French) messages
	Foreign   int // LOG/FATAL entries whose message is not ASCII; on the
	// stderr fast path only the lines that may hold an event are looked at
	// for this once the first entry is recognised.
	Year int // the year assumed for syslog time stamps that have none; 0 if none was
}

// Add adds the counts of o, read from another input, to s. The format
// and prefix become o's when o has them: the last input read names them.
func (s *Stats) Add(o Stats) {
	s.Lines += o.Lines
	s.Entries += o.Entries
	s.Skipped += o.Skipped
	s.Truncated += o.Truncated
	s.Loose += o.Loose
	s.Localized += o.Localized
	s.Foreign += o.Foreign
	if o.Format != Auto {
		s.Format, s.Detected = o.Format, o.Detected
	}
	if o.Looks != Auto {
		s.Looks = o.Looks
	}
	if s.Year == 0 {
		s.Year = o.Year
	}
	if o.Prefix != "" {
		s.Prefix = o.Prefix
	}
}
