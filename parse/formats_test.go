package parse

import (
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// csvlog lines of PostgreSQL 12 (23 columns), 13 (24) and 14+ (26).
const (
	csv12 = `2026-11-25 21:41:16.694 CET,,,16044,"127.0.0.1:59218",6b0747ec.3eac,1,"",2026-11-25 21:41:16 CET,,0,LOG,00000,"connection received: host=127.0.0.1 port=59218",,,,,,,,,""` + "\n" +
		`2026-11-25 21:41:16.713 CET,"alice","appdb",16044,"127.0.0.1:59218",6b0747ec.3eac,2,"authentication",2026-11-25 21:41:16 CET,3/1,0,LOG,00000,"connection authorized: user=alice database=appdb application_name=psql SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256, compression=off)",,,,,,,,,""` + "\n"
	csv13 = `2026-11-25 21:41:17.000 CET,"alice","appdb",16044,"127.0.0.1:59218",6b0747ec.3eac,3,"idle",2026-11-25 21:41:16 CET,,0,LOG,00000,"disconnection: session time: 0:00:00.306 user=alice database=appdb host=127.0.0.1 port=59218",,,,,,,,,"psql","client backend"` + "\n"
	csv14 = `2026-11-25 21:41:16.911 CET,"we ird=""x","my db",16050,"::1:59232",6b0747ec.3eb2,2,"authentication",2026-11-25 21:41:16 CET,3/35,0,FATAL,28P01,"password authentication failed for user ""we ird=""x""","Role ""we ird=""x"" does not exist.
Connection matched pg_hba.conf line 4: ""host ...""",,,,,,,,"","client backend",,0` + "\n"
)

func TestCSVLog(t *testing.T) {
	in := csv12 + csv13 + csv14
	for _, opt := range []Options{{}, {Format: CSVLog}} {
		evs, st := readAll(t, in, opt)
		check(t, evs,
			`received 2026-11-25T21:41:16.694+01:00 pid=16044 line=1 host="127.0.0.1" port="59218"`,
			`connect 2026-11-25T21:41:16.713+01:00 pid=16044 line=2 user="alice" db="appdb" app="psql" host="127.0.0.1" port="59218"`,
			`disconnect 2026-11-25T21:41:17.000+01:00 pid=16044 line=3 user="alice" db="appdb" app="psql" host="127.0.0.1" port="59218" dur=306ms`,
			`failure 2026-11-25T21:41:16.911+01:00 pid=16050 line=4 user="we ird=\"x" db="my db" host="::1" port="59232" reason="password authentication failed"`,
		)
		if st.Format != CSVLog || st.Lines != 5 {
			t.Errorf("Format %q Lines %d, want csvlog 5", st.Format, st.Lines)
		}
	}
}

// A record cut short by the end of the input (a log being written) is
// skipped; the records before it are kept.
func TestCSVTruncated(t *testing.T) {
	in := csv12 + csv14[:200]
	evs, st := readAll(t, in, Options{})
	if len(evs) != 2 || st.Skipped != 1 {
		t.Errorf("got %d events, %d skipped; want 2 and 1:\n%s", len(evs), st.Skipped, showAll(evs))
	}
}

const jsonLines = `{"timestamp":"2026-11-25 21:41:16.694 CET","pid":16044,"remote_host":"127.0.0.1","remote_port":59218,"session_id":"6b0747ec.3eac","line_num":1,"ps":"","session_start":"2026-11-25 21:41:16 CET","txid":0,"error_severity":"LOG","message":"connection received: host=127.0.0.1 port=59218","backend_type":"not initialized","query_id":0}
{"timestamp":"2026-11-25 21:41:16.713 CET","user":"alice","dbname":"appdb","pid":16044,"remote_host":"127.0.0.1","remote_port":59218,"session_id":"6b0747ec.3eac","line_num":2,"ps":"authentication","session_start":"2026-11-25 21:41:16 CET","vxid":"3/1","txid":0,"error_severity":"LOG","message":"connection authorized: user=alice database=appdb application_name=psql","backend_type":"client backend","query_id":0}
{"timestamp":"2026-11-25 21:41:16.800 CET","user":"alice","dbname":"appdb","pid":16044,"remote_host":"127.0.0.1","remote_port":59218,"session_id":"6b0747ec.3eac","line_num":3,"ps":"SELECT","session_start":"2026-11-25 21:41:16 CET","vxid":"3/2","txid":0,"error_severity":"ERROR","state_code":"42601","message":"connection authorized: user=evil database=x","backend_type":"client backend","query_id":0}
{"timestamp":"2026-11-25 21:41:17.000 CET","user":"alice","dbname":"appdb","pid":16044,"remote_host":"127.0.0.1","remote_port":59218,"session_id":"6b0747ec.3eac","line_num":4,"ps":"idle","session_start":"2026-11-25 21:41:16 CET","txid":0,"error_severity":"LOG","message":"disconnection: session time: 0:00:00.306 user=alice database=appdb host=127.0.0.1 port=59218","application_name":"psql","backend_type":"client backend","query_id":0}
{"timestamp":"2026-11-25 21:41:18.000 CET","user":"bob","dbname":"nosuch","pid":16050,"remote_host":"[local]","session_id":"6b0747ec.3eb2","line_num":3,"ps":"startup","session_start":"2026-11-25 21:41:18 CET","vxid":"3/3","txid":0,"error_severity":"FATAL","state_code":"3D000","message":"database \"nosuch\" does not exist","backend_type":"client backend","query_id":0}
{"timestamp":"2026-11-25 21:41:19.000 CET","pid":15695,"session_id":"6b0747e0.3d4f","line_num":9,"session_start":"2026-11-25 21:41:04 CET","txid":0,"error_severity":"LOG","message":"database system is shut down","backend_type":"postmaster","query_id":0}
{"timestamp":"2026-11-25 21:41:19.500 CET","pid":1
`

func TestJSONLog(t *testing.T) {
	for _, opt := range []Options{{}, {Format: JSONLog}} {
		evs, st := readAll(t, jsonLines, opt)
		check(t, evs,
			`received 2026-11-25T21:41:16.694+01:00 pid=16044 line=1 host="127.0.0.1" port="59218"`,
			`connect 2026-11-25T21:41:16.713+01:00 pid=16044 line=2 user="alice" db="appdb" app="psql" host="127.0.0.1" port="59218"`,
			`disconnect 2026-11-25T21:41:17.000+01:00 pid=16044 line=4 user="alice" db="appdb" app="psql" host="127.0.0.1" port="59218" dur=306ms`,
			`failure 2026-11-25T21:41:18.000+01:00 pid=16050 line=5 user="bob" db="nosuch" host="[local]" reason="database \"nosuch\" does not exist" afterauth`,
			`reset 2026-11-25T21:41:19.000+01:00 pid=15695 line=6 reason="shutdown"`,
		)
		if st.Format != JSONLog {
			t.Errorf("Format %q", st.Format)
		}
	}
}

const syslogLines = `2026-11-25T20:42:50.600000+00:00 vm postgres[16887]: [8-1] 2026-11-25 21:42:50.600 CET [16887] [unknown]@[unknown] LOG:  connection received: host=127.0.0.1 port=40000
2026-11-25T20:42:50.655171+00:00 vm postgres[16887]: [9-1] 2026-11-25 21:42:50.655 CET [16887] nobody@appdb FATAL:  password authentication failed for user "nobody"
2026-11-25T20:42:50.655294+00:00 vm postgres[16887]: [9-2] 2026-11-25 21:42:50.655 CET [16887] nobody@appdb DETAIL:  Role "nobody" does not exist.
2026-11-25T20:42:50.655321+00:00 vm postgres[16887]: [9-3] #011Connection matched pg_hba.conf line 4: "host ..."
Nov 25 21:43:00 vm postgres[16890]: [8-1] user=alice,db=appdb,app=[unknown],client=[local] LOG:  connection authorized: user=alice database=appdb
Nov 25 21:43:00 vm postgres[16890]: [9-1] user=alice,db=appdb,app=psql,client=[local] LOG:  statement: select 1
Nov 25 21:43:00 vm postgres[16890]: [9-2] #011connection authorized: user=evil database=x
2026-11-25T21:43:01+00:00 vm postgres[16891]: [8] LOG:  connection authorized: user=bob database=appdb
`

func TestSyslog(t *testing.T) {
	// The traditional stamp has no year: it is the year that puts it
	// before the log was last written, in local time.
	modified := time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC)
	noYear := time.Date(2026, 11, 25, 21, 43, 0, 0, time.Local).Format("2006-01-02T15:04:05.000Z07:00")
	for _, opt := range []Options{{Modified: modified}, {Format: Syslog, Modified: modified}} {
		evs, st := readAll(t, syslogLines, opt)
		check(t, evs,
			`received 2026-11-25T21:42:50.600+01:00 pid=16887 line=1 host="127.0.0.1" port="40000"`,
			`failure 2026-11-25T21:42:50.655+01:00 pid=16887 line=2 user="nobody" db="appdb" reason="password authentication failed"`,
			`connect `+noYear+` pid=16890 line=5 user="alice" db="appdb"`,
			`connect 2026-11-25T21:43:01.000Z pid=16891 line=8 user="bob" db="appdb"`,
		)
		if st.Format != Syslog || st.Year != 2026 {
			t.Errorf("Format %q, Year %d", st.Format, st.Year)
		}
	}
}

func TestLocalized(t *testing.T) {
	in := `2026-11-25 21:41:16.700 CET [16044] [unbekannt]@[unbekannt] LOG:  Verbindung empfangen: Host=[local]
2026-11-25 21:41:16.713 CET [16044] alice@appdb LOG:  Verbindung autorisiert: Benutzer=alice Datenbank=appdb application_name=psql SSL an (Protokoll=TLSv1.3, Verschlüsselungsmethode=TLS_AES_256_GCM_SHA384, Bits=256)
2026-11-25 21:41:17.713 CET [16044] alice@appdb LOG:  Verbindungsende: Sitzungszeit: 0:00:01.000 Benutzer=alice Datenbank=appdb Host=[local]
2026-11-25 21:41:18.000 CET [16045] bob@appdb FATAL:  Passwort-Authentifizierung für Benutzer »bob« fehlgeschlagen
2026-11-25 21:41:18.100 CET [16046] bob@nosuch FATAL:  Datenbank »nosuch« existiert nicht
2026-11-25 21:41:19.000 CET [16047] alice@appdb LOG:  connexion autorisée : utilisateur=alice base de données appdb application_name=psql
2026-11-25 21:41:20.000 CET [16047] alice@appdb LOG:  déconnexion : durée de la session : 0:00:01.000
	utilisateur=alice base=appdb hôte=[local]
2026-11-25 21:41:21.000 CET [16048] bob@appdb FATAL:  authentification par mot de passe échouée pour l'utilisateur  « bob »
2026-11-25 21:41:22.000 CET [16049] alice@appdb LOG:  déconnexion : durée de la session : 0:00:02.000
2026-11-25 21:41:23.000 CET [16000] LOG:  le système de base de données est arrêté
`
	evs, st := readAll(t, in, Options{})
	check(t, evs,
		`received 2026-11-25T21:41:16.700+01:00 pid=16044 line=1 host="[local]"`,
		`connect 2026-11-25T21:41:16.713+01:00 pid=16044 line=2 user="alice" db="appdb" app="psql"`,
		`disconnect 2026-11-25T21:41:17.713+01:00 pid=16044 line=3 user="alice" db="appdb" host="[local]" dur=1s`,
		`failure 2026-11-25T21:41:18.000+01:00 pid=16045 line=4 user="bob" db="appdb" reason="password authentication failed"`,
		`failure 2026-11-25T21:41:18.100+01:00 pid=16046 line=5 user="bob" db="nosuch" reason="database \"nosuch\" does not exist" afterauth`,
		`connect 2026-11-25T21:41:19.000+01:00 pid=16047 line=6 user="alice" db="appdb" app="psql"`,
		`disconnect 2026-11-25T21:41:20.000+01:00 pid=16047 line=7 user="alice" db="appdb" host="[local]" dur=1s`,
		`failure 2026-11-25T21:41:21.000+01:00 pid=16048 line=9 user="bob" db="appdb" reason="password authentication failed"`,
		`reset 2026-11-25T21:41:23.000+01:00 pid=16000 line=11 reason="shutdown"`,
	)
	if st.Localized != 9 {
		t.Errorf("Localized = %d, want 9", st.Localized)
	}
}

// The French disconnection in csvlog holds a raw newline.
func TestLocalizedCSV(t *testing.T) {
	in := `2026-11-25 21:41:20.000 CET,"alice","appdb",16047,"[local]",6b0747ec.3eaf,5,"idle",2026-11-25 21:41:19 CET,,0,LOG,00000,"déconnexion : durée de la session : 0:00:01.000
utilisateur=alice base=appdb hôte=[local]",,,,,,,,,"psql","client backend",,0` + "\n"
	evs, _ := readAll(t, in, Options{})
	check(t, evs, `disconnect 2026-11-25T21:41:20.000+01:00 pid=16047 line=1 user="alice" db="appdb" app="psql" host="[local]" dur=1s`)
}

// Every format gives the same events when read one byte at a time.
func TestOneByteReader(t *testing.T) {
	for _, in := range []string{csv12 + csv13 + csv14, jsonLines, syslogLines} {
		want, _ := readAll(t, in, Options{})
		var got []Event
		for ev, err := range NewReader(iotest.OneByteReader(strings.NewReader(in)), Options{}).All() {
			if err != nil {
				break
			}
			got = append(got, *ev)
		}
		if showAll(got) != showAll(want) {
			t.Errorf("one byte at a time:\n%s\nwhole:\n%s", showAll(got), showAll(want))
		}
	}
}

func TestPG18(t *testing.T) {
	in := `2026-11-25 21:41:16.713 UTC [100] alice@appdb LOG:  connection authenticated: user="alice" method=trust (/etc/postgresql/18/main/pg_hba.conf:3)
2026-11-25 21:41:16.714 UTC [100] alice@appdb LOG:  connection authorized: user=alice database=appdb application_name=psql
2026-11-25 21:41:16.720 UTC [100] alice@appdb LOG:  connection ready: setup total=12.345 ms, fork=1.200 ms, authentication=3.001 ms
2026-11-25 21:41:17.000 UTC [99] LOG:  client backend (PID 100) was terminated by signal 9: Killed
2026-11-25 21:41:17.001 UTC [99] LOG:  terminating any other active server processes
`
	evs, _ := readAll(t, in, Options{})
	check(t, evs,
		`connect 2026-11-25T21:41:16.714Z pid=100 line=2 user="alice" db="appdb" app="psql"`,
		`ready 2026-11-25T21:41:16.720Z pid=100 line=3 user="alice" db="appdb" setup=12.345ms`,
		`reset 2026-11-25T21:41:17.001Z pid=99 line=5 reason="crash"`,
	)
}

// A French disconnection under syslog: its time is its first line's (not
// the continuation's, nor the next line's), and a line that is not from
// syslog after it is skipped once, not once per look.
func TestSyslogFrenchDisconnection(t *testing.T) {
	const disc = "2026-11-25T20:42:50.000000+00:00 vm postgres[16047]: [5-1] [16047] LOG:  déconnexion : durée de la session : 0:00:01.000\n"
	in := disc +
		"2026-11-25T20:42:51.000000+00:00 vm postgres[16047]: [5-2] #011utilisateur=alice base=appdb hôte=[local]\n" +
		disc + "garbage\n" +
		"2026-11-25T20:42:53.000000+00:00 vm postgres[16048]: [6-1] [16048] LOG:  connection received: host=[local]\n"
	evs, st := readAll(t, in, Options{Format: Syslog, Prefix: "[%p] "})
	check(t, evs,
		`disconnect 2026-11-25T20:42:50.000Z pid=16047 line=1 user="alice" db="appdb" host="[local]" dur=1s`,
		`received 2026-11-25T20:42:53.000Z pid=16048 line=5 host="[local]"`,
	)
	if st.Skipped != 1 {
		t.Errorf("Skipped = %d, want 1 (the garbage line)", st.Skipped)
	}
}
