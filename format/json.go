package format

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/pgtail/pgtail/aggregate"
	"github.com/pgtail/pgtail/parse"
)

// JSONVersion is the "version" of every JSON object pgtail writes. It
// changes only when a field changes meaning or goes away; new fields may
// be added within a version. The README section "JSON output (`--json`)"
// documents the schema.
const JSONVersion = 1

// Input describes what was read, for the JSON views.
type Input struct {
	Lines, Entries, Skipped, Truncated int
	Format, Prefix                     string
}

// A Report is everything the JSON summary and history show.
type Report struct {
	Filter         aggregate.Filter
	Summary        aggregate.Summary
	History        *aggregate.History // nil: the summary view
	ByHost         []aggregate.Row
	Failures       []aggregate.FailRow
	Peak           aggregate.Peak
	Saturation     aggregate.Saturation
	MaxConnections int
	Durations      aggregate.Durations
	Input          Input
}

// jsonTime is RFC 3339 with milliseconds and the log's own offset; null
// when the log has no time stamps.
type jsonTime time.Time

func (t jsonTime) MarshalJSON() ([]byte, error) {
	if time.Time(t).IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + time.Time(t).Format("2006-01-02T15:04:05.000Z07:00") + `"`), nil
}

// seconds is a duration in seconds, to the millisecond.
type seconds time.Duration

func (s seconds) MarshalJSON() ([]byte, error) {
	return []byte(fmt.Sprintf("%.3f", time.Duration(s).Seconds())), nil
}

type jRow struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

type jReason struct {
	Reason string `json:"reason"`
	Count  int    `json:"count"`
}

type jFailure struct {
	Category    string   `json:"category"`
	Reason      string   `json:"reason"`
	Cause       string   `json:"cause,omitempty"`
	User        string   `json:"user"`
	Database    string   `json:"database"`
	Application string   `json:"application"`
	Host        string   `json:"host"`
	Count       int      `json:"count"`
	First       jsonTime `json:"first"`
	Last        jsonTime `json:"last"`
}

type jSaturation struct {
	Count int      `json:"count"`
	First jsonTime `json:"first"`
	Last  jsonTime `json:"last"`
}

type jPeak struct {
	Active         int         `json:"active"`
	Time           jsonTime    `json:"time"`
	TimeExact      bool        `json:"time_exact"`
	MaxConnections *int        `json:"max_connections"`
	Free           *int        `json:"free"`
	Saturation     jSaturation `json:"saturation"`
}

type jDurations struct {
	Name         string  `json:"name,omitempty"`
	Sessions     int64   `json:"sessions"`
	Min          seconds `json:"min_s"`
	Median       seconds `json:"median_s"`
	P95          seconds `json:"p95_s"`
	Max          seconds `json:"max_s"`
	Mean         seconds `json:"mean_s"`
	Under1s      int64   `json:"under_1s"`
	ShareUnder1s float64 `json:"share_under_1s"`
}

type jDurationsAll struct {
	jDurations
	RelativeError float64      `json:"relative_error"`
	ByApplication []jDurations `json:"by_application"`
}

type jHistoryRow struct {
	Start  jsonTime `json:"start"`
	Active int      `json:"active"`
	Change int      `json:"change"`
	Leak   bool     `json:"leak"`
}

type jHistory struct {
	Window      seconds       `json:"window_s"`
	Bucket      seconds       `json:"bucket_s"`
	Connects    int           `json:"connects"`
	Disconnects int           `json:"disconnects"`
	Net         int           `json:"net"`
	Rows        []jHistoryRow `json:"rows"`
	Trend       string        `json:"trend"`
}

type jFilters struct {
	Database    string `json:"database,omitempty"`
	User        string `json:"user,omitempty"`
	Application string `json:"application,omitempty"`
}

type jInput struct {
	Lines     int    `json:"lines"`
	Entries   int    `json:"entries"`
	Skipped   int    `json:"skipped"`
	Truncated int    `json:"truncated"`
	Format    string `json:"format"`
	Prefix    string `json:"prefix"`
}

type jReport struct {
	Version int      `json:"version"`
	View    string   `json:"view"`
	Filters jFilters `json:"filters"`
	Active  int      `json:"active"`
	jBreakdown
	jTotals
	Estimated bool          `json:"estimated"`
	Peak      jPeak         `json:"peak"`
	Durations jDurationsAll `json:"durations"`
	History   *jHistory     `json:"history,omitempty"`
	Input     jInput        `json:"input"`
}

// jBreakdown is who holds the open sessions (embedded: its keys stand
// in the report object itself).
type jBreakdown struct {
	ByDatabase    []jRow `json:"by_database"`
	ByUser        []jRow `json:"by_user"`
	ByApplication []jRow `json:"by_application"`
	ByHost        []jRow `json:"by_host"`
}

// jTotals counts sessions and refusals (embedded like jBreakdown).
type jTotals struct {
	Connects             int        `json:"connects"`
	Disconnects          int        `json:"disconnects"`
	FailuresTotal        int        `json:"failures_total"`
	FailuresByReason     []jReason  `json:"failures_by_reason"`
	Failures             []jFailure `json:"failures"`
	LostSessions         []jFailure `json:"lost_sessions"`
	SessionsEndedByReset int        `json:"sessions_ended_by_reset"`
	SessionsReplaced     int        `json:"sessions_replaced"`
}

func jRows(rs []aggregate.Row) []jRow {
	out := make([]jRow, len(rs))
	for i, r := range rs {
		out[i] = jRow(r)
	}
	return out
}

func jDur(d aggregate.DurationStats) jDurations {
	share := d.ShareUnder1s
	if math.IsNaN(share) {
		share = 0
	}
	return jDurations{
		Name: d.Name, Sessions: d.Sessions,
		Min: seconds(d.Min), Median: seconds(d.Median), P95: seconds(d.P95), Max: seconds(d.Max), Mean: seconds(d.Mean),
		Under1s: d.Under1s, ShareUnder1s: math.Round(share*10000) / 10000,
	}
}

// JSON writes the summary (r.History nil) or history view as one JSON
// object on one line.
func JSON(w io.Writer, r Report) error {
	s := r.Summary
	j := jReport{
		Version: JSONVersion, View: "summary",
		Filters: jFilters{r.Filter.DB, r.Filter.User, r.Filter.App},
		Active:  s.Active,
		jBreakdown: jBreakdown{
			ByDatabase: jRows(s.ByDB), ByUser: jRows(s.ByUser),
			ByApplication: jRows(s.ByApp), ByHost: jRows(r.ByHost),
		},
		jTotals: jTotals{
			Connects: s.Connects, Disconnects: s.Disconnects, FailuresTotal: s.Failures,
			FailuresByReason: []jReason{}, Failures: []jFailure{}, LostSessions: []jFailure{},
			SessionsEndedByReset: s.ResetEnded, SessionsReplaced: s.Replaced,
		},
		Estimated: s.NoPID,
		Input:     jInput(r.Input),
	}
	for _, fr := range s.FailuresByReason {
		j.FailuresByReason = append(j.FailuresByReason, jReason{fr.Name, fr.Count})
	}
	for _, f := range r.Failures {
		jf := jFailure{f.Category, f.Reason, f.Cause, f.User, f.DB, f.App, f.Host, f.Count, jsonTime(f.First), jsonTime(f.Last)}
		if f.Lost {
			j.LostSessions = append(j.LostSessions, jf)
		} else {
			j.Failures = append(j.Failures, jf)
		}
	}
	j.Peak = jPeak{
		Active: r.Peak.Active, Time: jsonTime(r.Peak.Time), TimeExact: r.Peak.Approx == 0 && !r.Peak.Time.IsZero(),
		Saturation: jSaturation{r.Saturation.Count, jsonTime(r.Saturation.First), jsonTime(r.Saturation.Last)},
	}
	if r.MaxConnections > 0 {
		m, free := r.MaxConnections, r.MaxConnections-r.Peak.Active
		j.Peak.MaxConnections, j.Peak.Free = &m, &free
	}
	j.Durations = jDurationsAll{jDur(r.Durations.All), aggregate.RelErr, []jDurations{}}
	for _, a := range r.Durations.ByApp {
		j.Durations.ByApplication = append(j.Durations.ByApplication, jDur(a))
	}
	if h := r.History; h != nil {
		j.View = "history"
		jh := &jHistory{
			Window: seconds(h.Window), Bucket: seconds(h.Bucket),
			Connects: h.Connects, Disconnects: h.Disconnects, Net: h.Connects - h.Disconnects,
			Rows: []jHistoryRow{}, Trend: trend(h.Rows),
		}
		for _, row := range h.Rows {
			jh.Rows = append(jh.Rows, jHistoryRow{jsonTime(row.Start), row.Active, row.Change, row.Leak})
		}
		j.History = jh
	}
	return writeJSON(w, j)
}

func writeJSON(w io.Writer, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(terminalSafeJSON(b.Bytes()))
	return err
}

type jEvent struct {
	Version     int      `json:"version"`
	Type        string   `json:"type"`
	Time        jsonTime `json:"time"`
	Line        int      `json:"line"`
	PID         int      `json:"pid,omitempty"`
	User        string   `json:"user,omitempty"`
	Database    string   `json:"database,omitempty"`
	Application string   `json:"application,omitempty"`
	Host        string   `json:"host,omitempty"`
	Port        string   `json:"port,omitempty"`
	Replication bool     `json:"replication,omitempty"`
	Duration    *seconds `json:"duration_s,omitempty"`
	Category    string   `json:"category,omitempty"`
	Reason      string   `json:"reason,omitempty"`
	Cause       string   `json:"cause,omitempty"`
	Detail      string   `json:"detail,omitempty"`
	AfterAuth   bool     `json:"after_auth,omitempty"`
	Retracted   bool     `json:"retracted,omitempty"`
	Unknown     bool     `json:"unknown_session,omitempty"`
	Ended       *int     `json:"ended,omitempty"`
}

// WatchJSON writes one event of --watch --json as one JSON object on one
// line (NDJSON). Like Watch, it writes nothing for a lone "connection
// received".
func WatchJSON(w io.Writer, o aggregate.Outcome) error {
	ev := o.Event
	j := jEvent{
		Version: JSONVersion, Type: ev.Kind.String(), Time: jsonTime(ev.Time), Line: ev.Line, PID: ev.PID,
		User: ev.User, Database: ev.DB, Application: ev.App, Host: ev.Host, Port: ev.Port,
		Replication: ev.Replication,
	}
	switch ev.Kind {
	case parse.Connect:
	case parse.Disconnect:
		d := seconds(ev.Duration)
		j.Duration = &d
		j.Unknown = o.Unknown
	case parse.Failure:
		j.Category, j.Reason, j.Detail, j.Cause = ev.Category, ev.Reason, ev.Detail, ev.Cause
		j.AfterAuth, j.Retracted = ev.AfterAuth, o.Retracted
	case parse.Reset:
		j.Reason = ev.Reason
		n := o.Ended
		j.Ended = &n
	default:
		return nil
	}
	return writeJSON(w, j)
}
