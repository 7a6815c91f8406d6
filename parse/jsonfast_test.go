package parse

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
)

// FuzzScanJSON: whenever scanJSON reads a line, it reads what
// json.Unmarshal into jsonRecord reads, and the line is one Unmarshal
// accepts (at most with a key of the wrong type).
func FuzzScanJSON(f *testing.F) {
	for _, s := range []string{
		// Real PostgreSQL 15 records.
		`{"timestamp":"2026-11-30 20:56:19.958 UTC","user":"postgres","dbname":"postgres","pid":11275,"remote_host":"[local]","session_id":"6b0de2f3.2c0b","line_num":2,"ps":"authentication","session_start":"2026-11-30 20:56:19 UTC","vxid":"3/1","txid":0,"error_severity":"LOG","message":"connection authorized: user=postgres database=postgres application_name=createdb","backend_type":"client backend","query_id":0}`,
		`{"timestamp":"2026-11-30 20:56:28.937 UTC","user":"postgres","dbname":"nosuchdb","pid":11687,"remote_host":"[local]","session_id":"6b0de2fc.2da7","line_num":3,"ps":"startup","session_start":"2026-11-30 20:56:28 UTC","vxid":"3/176","txid":0,"error_severity":"FATAL","state_code":"3D000","message":"database \"nosuchdb\" does not exist","backend_type":"client backend","query_id":0}`,
		`{"timestamp":"2026-11-30 20:56:19.979 UTC","user":"postgres","dbname":"postgres","pid":11275,"remote_host":"10.0.0.1","remote_port":51234,"error_severity":"LOG","message":"statement: SELECT pg_catalog.set_config('search_path', '', false);","application_name":"createdb","backend_type":"client backend","query_id":-12}`,
		`{}`, ` { "pid" : 12 , "user":null,"message":"a\"b\\c\/d\n\u00e9"} `, `{"pid":"12"}`, `{"pid":1.5}`, `{"pid":-0}`,
		`{"User":"x"}`, `{"user":"x","user":"y"}`, `{"user":"\u0078"}`, `{"x":{"y":1}}`, `{"x":[1]}`, `{"x":01}`,
		`{"remote_port":"5432"}`, `{"remote_port":null}`, `{"message":"\xff"}`, `{"x":"\xff"}`, `{"a":1,}`, `{"a" 1}`,
		`{"pid":123456789012345678901}`, `{"message":"caf` + "\u00e9" + `"}`, `{"x":tru}`, `{"x":true}trailing`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		var v jsonView
		var buf []byte
		if !scanJSON([]byte(line), &v, &buf) {
			return
		}
		var rec jsonRecord
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			var te *json.UnmarshalTypeError
			if !errors.As(err, &te) {
				t.Fatalf("scanJSON read %q, json.Unmarshal: %v", line, err)
			}
		}
		w := rec.view()
		if g, w := viewString(&v), viewString(&w); g != w {
			t.Fatalf("%q:\nscanJSON  %s\nUnmarshal %s", line, g, w)
		}
	})
}

func viewString(v *jsonView) string {
	opt := func(b []byte) string {
		if b == nil {
			return "<nil>"
		}
		return fmt.Sprintf("%q", b)
	}
	port := string(v.port)
	if !digits(v.port) {
		port = "-"
	}
	return fmt.Sprintf("ts=%q sev=%q msg=%q user=%s db=%s host=%s app=%s pid=%d port=%s",
		v.timestamp, v.severity, v.message, opt(v.user), opt(v.db), opt(v.host), opt(v.app), v.pid, port)
}

// TestScanJSONServerRecords: the records the server writes take the fast
// path, whatever their values hold.
func TestScanJSONServerRecords(t *testing.T) {
	for _, line := range []string{
		`{"timestamp":"2026-11-30 20:56:19.958 UTC","user":"postgres","dbname":"postgres","pid":11275,"remote_host":"[local]","session_id":"6b0de2f3.2c0b","line_num":2,"ps":"authentication","session_start":"2026-11-30 20:56:19 UTC","vxid":"3/1","txid":0,"error_severity":"LOG","message":"connection authorized: user=postgres database=postgres application_name=createdb","backend_type":"client backend","query_id":0}`,
		`{"timestamp":"2026-11-30 20:56:28.937 UTC","user":"bob","dbname":"nosuchdb","pid":11687,"remote_host":"::1","remote_port":40022,"error_severity":"FATAL","state_code":"3D000","message":"database \"nosuchdb\" does not exist\n\tcaf` + "\u00e9" + `","backend_type":"client backend","query_id":-7}`,
	} {
		var v jsonView
		var buf []byte
		if !scanJSON([]byte(line), &v, &buf) {
			t.Errorf("not read: %s", line)
		}
	}
}

func TestSeverityKey(t *testing.T) {
	for _, line := range []string{
		`{"timestamp":"x","pid":1,"error_severity":"LOG","message":"m"}`,
		`{"a_severity":"x","error_severity":"LOG"}`,
		`{"error_severity":"LOG"}`,
		`{"user":"a\"_severity\":\"","error_severity":"FATAL"}`,
		`{"message":"no key"}`,
		`_severity":"`,
		``,
		`{"y":"yyyyyyyyyyyyyyyyyyy","error_severity":"LOG"}`, // more 'y' before the key than are looked at one by one
		`{"user":"yy","error_severity":"LOG","message":"error_severity"}`,
		`y":"`,
		`"error_severity":`,
		`{"user":"yyyyyyyyyy"}`,
	} {
		if got, want := severityKey([]byte(line)), bytes.Index([]byte(line), jsonSeverityKey); got != want {
			t.Errorf("%s: %d, want %d", line, got, want)
		}
	}
}
