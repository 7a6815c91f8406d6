package parse

import (
	"bytes"
	"strings"
	"testing"
)

// checkSameRecords reads data line by line and on the record fast path
// (fastSources) and wants the same events and the same Stats, every
// count.
func checkSameRecords(t *testing.T, data []byte, opt Options) {
	t.Helper()
	want, ws, werr := readPath(t, bytes.NewReader(data), true, opt)
	for name, src := range fastSources(data) {
		got, gs, gerr := readPath(t, src(), false, opt)
		sameRead(t, name, got, gerr, want, werr)
		if gs != ws {
			t.Errorf("%s: stats = %+v, want %+v", name, gs, ws)
		}
	}
}

// TestRecordsSameAsSerial: csvlog and jsonlog read on the workers
// (records.go) give what a line-by-line read gives: records over several
// lines, cut records, blank and foreign lines, a postmaster's stderr lines
// before its collector, translated messages, long lines, CRLF, blocks cut
// anywhere.
func TestRecordsSameAsSerial(t *testing.T) {
	csvBase := csv12 + csv13 + csv14
	csvDE := `2026-11-25 21:41:16.713 CET,"alice","appdb",16044,"[local]",6b0747ec.3eac,2,"authentication",2026-11-25 21:41:16 CET,3/1,0,LOG,00000,"Verbindung autorisiert: Benutzer=alice Datenbank=appdb application_name=psql",,,,,,,,,"","client backend",,0` + "\n"
	csvFR := `2026-11-25 21:41:20.000 CET,"alice","appdb",16047,"[local]",6b0747ec.3eaf,5,"idle",2026-11-25 21:41:19 CET,,0,LOG,00000,"déconnexion : durée de la session : 0:00:01.000
utilisateur=alice base=appdb hôte=[local]",,,,,,,,,"psql","client backend",,0` + "\n"
	csvStmt := `2026-11-25 21:41:18.000 CET,"alice","appdb",16044,"[local]",6b0747ec.3eac,3,"idle",2026-11-25 21:41:16 CET,3/2,0,LOG,00000,"statement: select 'a
connection authorized: user=evil database=x
b';",,,,,,,,,"psql","client backend",,0` + "\n"
	csvErr := `2026-11-25 21:41:18.100 CET,"alice","appdb",16044,"[local]",6b0747ec.3eac,4,"SELECT",2026-11-25 21:41:16 CET,3/2,0,ERROR,42601,"syntax error at or near ""connection""",,,,,,"select connection",8,,"psql","client backend",,0` + "\n"
	csvLong := `2026-11-25 21:41:18.200 CET,"alice","appdb",16044,"[local]",6b0747ec.3eac,5,"idle",2026-11-25 21:41:16 CET,3/2,0,LOG,00000,"statement: select '` + strings.Repeat("x", MaxLine) + `'",,,,,,,,,"psql","client backend",,0` + "\n"
	csvRU := `2026-11-25 21:41:18.400 CET,"bob","x",16060,"[local]",6b0747ec.3eb9,1,"startup",2026-11-25 21:41:18 CET,,0,FATAL,XX000,"непонятно",,,,,,,,,"","client backend",,0` + "\n"
	csvCut := csv12[:120] + "\n"                    // a record cut inside a quote, then a new record
	csvShort := "2026-11-25 21:41:18.300 CET,a,b\n" // too few columns
	csvCases := map[string]string{
		"base":        csvBase,
		"translated":  csvDE + csvFR + csvRU + csvBase,
		"statements":  csvStmt + csvErr + csv13,
		"cut":         csv12 + csvCut + csv13 + csvCut,
		"garbage":     "\n\nhello\n" + csvShort + csvBase + "\n" + csvShort,
		"crlf":        strings.ReplaceAll(csvBase+csvStmt, "\n", "\r\n"),
		"no final nl": csvBase + csv13[:len(csv13)-1],
		"long":        csv12 + csvLong + csv13 + csvLong[:MaxLine+1] + "\n" + csv13,
		"many":        strings.Repeat(csvBase+csvStmt+csvErr+csvDE+csvFR+csvCut+csv13, 1500),
	}
	for name, in := range csvCases {
		t.Run("csvlog/"+name, func(t *testing.T) { checkSameRecords(t, []byte(in), Options{Format: CSVLog}) })
	}

	pm := "2026-11-25 21:41:15.000 CET [15695] LOG:  starting PostgreSQL 15.8 on x86_64-pc-linux-gnu, compiled by gcc, 64-bit\n" +
		"2026-11-25 21:41:15.001 CET [15695] LOG:  redirecting log output to logging collector process\n" +
		"\tcontinued\n"
	fatal := "2026-11-25 21:41:15.100 CET [15700] bob@x FATAL:  password authentication failed for user \"bob\"\n" +
		"2026-11-25 21:41:15.100 CET [15700] bob@x DETAIL:  Password does not match for user \"bob\".\n"
	jsonDE := `{"timestamp":"2026-11-25 21:41:16.713 CET","user":"alice","dbname":"appdb","pid":16044,"remote_host":"[local]","error_severity":"LOG","message":"Verbindung autorisiert: Benutzer=alice Datenbank=appdb application_name=psql","backend_type":"client backend"}` + "\n"
	jsonRU := `{"timestamp":"2026-11-25 21:41:16.713 CET","pid":16044,"error_severity":"LOG","message":"слово","backend_type":"client backend"}` + "\n" +
		`{"timestamp":"2026-11-25 21:41:16.800 CET","pid":16045,"error_severity":"FATAL","message":"непонятно","backend_type":"client backend"}` + "\n"
	jsonSpaced := `{"timestamp": "2026-11-25 21:41:17.000 CET", "user": "alice", "dbname": "appdb", "pid": 16044, "error_severity": "LOG", "message": "disconnection: session time: 0:00:00.306 user=alice database=appdb host=[local]"}` + "\n"
	jsonBad := `{"timestamp":"2026-11-25 21:41:17.000 CET","error_severity":"LOG","message":"connection received: host=[local]"` + "\n"
	jsonType := `{"timestamp":"2026-11-25 21:41:17.000 CET","pid":"x","error_severity":"LOG","message":"connection received: host=[local]"}` + "\n"
	jsonLong := `{"timestamp":"2026-11-25 21:41:17.000 CET","pid":1,"error_severity":"LOG","message":"statement: ` + strings.Repeat("x", MaxLine) + `"}` + "\n"
	jsonCases := map[string]string{
		"base":        jsonLines,
		"postmaster":  pm + fatal + jsonLines + fatal + jsonDE,
		"translated":  jsonDE + jsonRU + jsonLines,
		"odd":         jsonSpaced + jsonBad + jsonType + "\n  \n\t" + jsonSpaced + "not json\n",
		"crlf":        strings.ReplaceAll(jsonLines+jsonSpaced, "\n", "\r\n"),
		"no final nl": jsonLines + jsonSpaced[:len(jsonSpaced)-1],
		"long":        jsonSpaced + jsonLong + jsonSpaced + jsonLong[:MaxLine+1] + "\n" + jsonSpaced,
		"many":        strings.Repeat(jsonLines+fatal+jsonDE+jsonRU+jsonSpaced+jsonBad, 400),
	}
	for name, in := range jsonCases {
		t.Run("jsonlog/"+name, func(t *testing.T) { checkSameRecords(t, []byte(in), Options{Format: JSONLog}) })
	}
}

// TestRecordsReadOnWorkers: on the fast path the workers read the
// records, not the Reader's goroutine.
func TestRecordsReadOnWorkers(t *testing.T) {
	for _, tc := range []struct {
		format Format
		in     string
	}{{CSVLog, csv12 + csv13 + csv14}, {JSONLog, jsonLines}} {
		r := NewReader(strings.NewReader(strings.Repeat(tc.in, 100)), Options{})
		n := 0
		for _, err := range r.All() {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		var rs *recSource
		switch d := r.dec.(type) {
		case *csvDecoder:
			rs = d.pre
		case *jsonDecoder:
			rs = d.pre
		}
		if rs == nil || rs.events == 0 || rs.events < n*2/3 {
			t.Errorf("%s: %d events, of which the workers read %v, want most", tc.format, n, rs)
		}
	}
}
