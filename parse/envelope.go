package parse

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// An envelope is the wrapping a platform puts around each line of the
// server's log: a container runtime's time stamp, a JSON record of
// journald, Docker or a cloud logging service. An envelope is a line
// source of its own: it reads the outer lines and hands out the server's
// lines (in their own format: stderr, csvlog or jsonlog) one at a time,
// each with what the envelope knew about it (envMeta). Records split by
// the platform (CRI "P", Docker json-file) are joined; records that are
// not the server's (an operator's own lines) are skipped and counted.
type envelope interface {
	// next returns the next inner line and its envelope's facts; at the
	// end of the input it returns the line source's error. The line is
	// valid until the next call.
	next() ([]byte, envMeta, error)
	// inner is the format of the inner lines, or Auto to detect it from
	// the first one.
	inner() Format
}

// envMeta is what an envelope says about one inner line.
type envMeta struct {
	time   time.Time // when the platform received the line; zero if unknown
	pid    int       // the process that wrote it; 0 if unknown
	origin string    // the pod, container, host or instance; "" if unknown
}

// lineFunc reads the next outer line, without its newline; the line is
// valid until the next call. At the end it returns io.EOF.
type lineFunc func() ([]byte, error)

// ErrUnknownJSON reports a JSON input that is neither jsonlog nor an
// envelope pgtail knows.
var ErrUnknownJSON = errors.New("the input is JSON in a form pgtail does not know")

// ErrMalformed reports a document read whole (a gcloud JSON array) that
// breaks off or is not valid JSON part way: the entries before the break
// are read, then the Reader returns it.
var ErrMalformed = errors.New("the input breaks off or is not valid")

// newEnvelope returns the envelope of format f reading from src, or nil
// when f is not an envelope. skipped counts the records it drops.
func newEnvelope(f Format, src lineFunc, skipped *int) envelope {
	b := envBase{src: src, skipped: skipped}
	switch f {
	case Kubectl:
		return &kubectlEnv{envBase: b}
	case CRI:
		return &criEnv{envBase: b}
	case DockerJSON:
		return &dockerEnv{envBase: b}
	case Journald:
		return &journaldEnv{envBase: b}
	case CloudNativePG:
		return &cnpgEnv{envBase: b}
	case GCloud:
		return &gcloudEnv{envBase: b}
	case Heroku:
		return &herokuEnv{envBase: b}
	}
	return nil
}

// envBase holds what every envelope needs: its line source, the skip
// counter, the lines of a multi-line payload still to hand out, and the
// last origin (to reuse its string).
type envBase struct {
	src     lineFunc
	skipped *int
	queue   [][]byte
	qmeta   envMeta
	part    []byte // a split record being joined
	pmeta   envMeta
	lastOrg string
}

func (e *envBase) inner() Format { return Auto }

// origin returns b as a string, reusing the previous one when equal.
func (e *envBase) origin(b []byte) string {
	if string(b) != e.lastOrg {
		e.lastOrg = string(b)
	}
	return e.lastOrg
}

// emit hands out a payload that may hold several lines: the first now,
// the others from the queue by the next calls (see pop).
func (e *envBase) emit(payload []byte, m envMeta) ([]byte, envMeta) {
	k := bytes.IndexByte(payload, '\n')
	if k < 0 {
		return payload, m
	}
	lines := bytes.Split(payload[k+1:], []byte{'\n'})
	if n := len(lines); n > 0 && len(lines[n-1]) == 0 {
		lines = lines[:n-1]
	}
	e.queue, e.qmeta = lines, m
	return payload[:k], m
}

// pop returns a queued line of a multi-line payload.
func (e *envBase) pop() ([]byte, envMeta, bool) {
	if len(e.queue) == 0 {
		return nil, envMeta{}, false
	}
	l := e.queue[0]
	e.queue = e.queue[1:]
	return l, e.qmeta, true
}

// join adds one piece of a split record; it returns the whole record
// when last is set. The pieces after the first are copied.
func (e *envBase) join(piece []byte, m envMeta, last bool) ([]byte, envMeta, bool) {
	if !last {
		if len(e.part) == 0 {
			e.pmeta = m
		}
		if len(e.part)+len(piece) <= MaxLine {
			e.part = append(e.part, piece...)
		}
		return nil, envMeta{}, false
	}
	if len(e.part) == 0 {
		return piece, m, true
	}
	if len(e.part)+len(piece) <= MaxLine {
		e.part = append(e.part, piece...)
	}
	whole, wm := e.part, e.pmeta
	e.part = e.part[len(e.part):] // the next record appends after it
	if cap(e.part) == 0 || len(whole) > 64<<10 {
		e.part = nil
	}
	return whole, wm, true
}

// atEnd returns a split record left open at the end of the input, then
// the line source's error.
func (e *envBase) atEnd(err error) ([]byte, envMeta, error) {
	if len(e.part) == 0 {
		return nil, envMeta{}, err
	}
	whole, m := e.part, e.pmeta
	e.part = nil
	return whole, m, nil
}

// record reads the next outer line that is not blank.
func (e *envBase) record() ([]byte, error) {
	for {
		line, err := e.src()
		if err != nil || len(bytes.TrimSpace(line)) > 0 {
			return line, err
		}
	}
}

func (e *envBase) skip() { *e.skipped++ }

// rfc3339Stamp reads an RFC 3339 time stamp and the space after it at the
// start of line ("2026-11-25T20:50:01.123456789Z "). It returns the time
// and the length read, or 0 when line does not start with one.
func rfc3339Stamp(line []byte) (time.Time, int) {
	if len(line) < 21 || line[4] != '-' || line[7] != '-' || line[10] != 'T' || line[13] != ':' {
		return time.Time{}, 0
	}
	k := bytes.IndexByte(line[:min(len(line), 40)], ' ')
	if k < 20 {
		return time.Time{}, 0
	}
	t := syslogTime(line[:k])
	if t.IsZero() {
		return time.Time{}, 0
	}
	return t, k + 1
}

// kubectlEnv reads `kubectl logs` and `docker logs` output: with
// --timestamps an RFC 3339 time and a space before every line, with
// kubectl's --prefix "[pod/NAME/CONTAINER] " before that.
type kubectlEnv struct{ envBase }

func (e *kubectlEnv) next() ([]byte, envMeta, error) {
	line, err := e.src()
	if err != nil {
		return nil, envMeta{}, err
	}
	var m envMeta
	if n := kubectlPrefix(line); n > 0 {
		m.origin = e.origin(line[len("[pod/") : n-2])
		line = line[n:]
	}
	if t, n := rfc3339Stamp(line); n > 0 {
		m.time, line = t, line[n:]
	}
	return line, m, nil
}

// kubectlPrefix returns the length of kubectl's "[pod/NAME/CONTAINER] "
// at the start of line, or 0.
func kubectlPrefix(line []byte) int {
	if !bytes.HasPrefix(line, []byte("[pod/")) {
		return 0
	}
	k := bytes.IndexByte(line[:min(len(line), 512)], ']')
	if k < 0 || k+1 >= len(line) || line[k+1] != ' ' {
		return 0
	}
	return k + 2
}

// criEnv reads the CRI log files of containerd and CRI-O
// (/var/log/pods/…): "TIME STREAM P|F LINE", where P marks a piece of a
// line that the next record continues.
type criEnv struct{ envBase }

func (e *criEnv) next() ([]byte, envMeta, error) {
	for {
		line, err := e.record()
		if err != nil {
			return e.atEnd(err)
		}
		t, n := rfc3339Stamp(line)
		rest := line[n:]
		sp := bytes.IndexByte(rest, ' ')
		if n == 0 || sp < 0 || len(rest) < sp+2 {
			e.skip()
			continue
		}
		tag := rest[sp+1:]
		body := tag
		if k := bytes.IndexByte(tag, ' '); k >= 0 {
			tag, body = tag[:k], tag[k+1:]
		} else {
			body = nil
		}
		if whole, m, ok := e.join(body, envMeta{time: t}, !bytes.Equal(tag, []byte("P"))); ok {
			return whole, m, nil
		}
	}
}

// isCRI reports whether line is a CRI log record.
func isCRI(line []byte) bool {
	rest, ok := afterStamp(line)
	for _, s := range []string{"stdout P", "stdout F", "stderr P", "stderr F"} {
		if ok && bytes.HasPrefix(rest, []byte(s)) && (len(rest) == len(s) || rest[len(s)] == ' ' || rest[len(s)] == ':') {
			return true
		}
	}
	return false
}

// afterStamp returns what follows the RFC 3339 time stamp and space at
// the start of line; false when there is none.
func afterStamp(line []byte) ([]byte, bool) {
	_, n := rfc3339Stamp(line)
	return line[n:], n > 0
}

// dockerEnv reads Docker's json-file log driver
// (/var/lib/docker/containers/ID/ID-json.log): one JSON object per line,
// {"log":"LINE\n","stream":"stderr","time":"…"}; a "log" without the
// final newline is a piece of a line that the next record continues.
type dockerEnv struct {
	envBase
	rec struct {
		Log  *string `json:"log"`
		Time string  `json:"time"`
	}
	buf []byte
}

func (e *dockerEnv) next() ([]byte, envMeta, error) {
	for {
		line, err := e.record()
		if err != nil {
			return e.atEnd(err)
		}
		e.rec.Log, e.rec.Time = nil, ""
		if json.Unmarshal(line, &e.rec) != nil || e.rec.Log == nil {
			e.skip()
			continue
		}
		e.buf = append(e.buf[:0], *e.rec.Log...)
		body, last := bytes.CutSuffix(e.buf, []byte{'\n'})
		body, _ = bytes.CutSuffix(body, []byte{'\r'})
		if whole, m, ok := e.join(body, envMeta{time: syslogTime([]byte(e.rec.Time))}, last); ok {
			return whole, m, nil
		}
	}
}

// journaldEnv reads `journalctl -o json`: one JSON object per line with
// the line in MESSAGE (a string, or an array of bytes when it is not
// valid UTF-8), the time in __REALTIME_TIMESTAMP (µs since the epoch),
// the sender in _PID and the host in _HOSTNAME. A message sent with
// syslog() has PostgreSQL's "[SEQ-CHUNK] " numbering, and its _PID is
// the backend's; a line of a captured stderr (_TRANSPORT=stdout) carries
// the postmaster's PID, which is no backend's.
type journaldEnv struct {
	envBase
	rec struct {
		Message   json.RawMessage `json:"MESSAGE"`
		PID       string          `json:"_PID"`
		Realtime  string          `json:"__REALTIME_TIMESTAMP"`
		Host      string          `json:"_HOSTNAME"`
		Transport string          `json:"_TRANSPORT"`
	}
	msg []byte
}

func (e *journaldEnv) next() ([]byte, envMeta, error) {
	if l, m, ok := e.pop(); ok {
		return syslogBody(l), m, nil
	}
	for {
		line, err := e.record()
		if err != nil {
			return nil, envMeta{}, err
		}
		r := &e.rec
		r.Message, r.PID, r.Realtime, r.Host, r.Transport = nil, "", "", "", ""
		if json.Unmarshal(line, r) != nil || !e.message(r.Message) {
			e.skip()
			continue
		}
		var m envMeta
		if us, err := strconv.ParseInt(r.Realtime, 10, 64); err == nil {
			m.time = time.UnixMicro(us).UTC()
		}
		if r.Transport != "stdout" && digits([]byte(r.PID)) && len(r.PID) < 10 {
			m.pid = atoi([]byte(r.PID))
		}
		if r.Host != "" {
			m.origin = e.origin([]byte(r.Host))
		}
		l, m := e.emit(e.msg, m)
		return syslogBody(l), m, nil
	}
}

// message decodes a journald MESSAGE into e.msg: a JSON string, or an
// array of byte values.
func (e *journaldEnv) message(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return false
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return false
		}
		e.msg = append(e.msg[:0], s...)
		return true
	case '[':
		var bs []int
		if json.Unmarshal(raw, &bs) != nil {
			return false
		}
		e.msg = e.msg[:0]
		for _, b := range bs {
			if b < 0 || b > 255 {
				return false
			}
			e.msg = append(e.msg, byte(b))
		}
		return true
	}
	return false // null: a message journalctl did not show
}

// cnpgEnv reads CloudNativePG's instance log: one JSON object per line;
// the server's csvlog records come with "logger":"postgres" and their
// columns under "record". The lines of other loggers (the instance
// manager's own) are skipped and counted. Each record is handed out as
// one csvlog line.
type cnpgEnv struct {
	envBase
	rec struct {
		Logger string         `json:"logger"`
		Pod    string         `json:"logging_pod"`
		Record map[string]any `json:"record"`
	}
	csv []byte
}

func (e *cnpgEnv) inner() Format { return CSVLog }

// cnpgColumns are csvlog's columns, in order, as CloudNativePG names them.
var cnpgColumns = [...]string{
	"log_time", "user_name", "database_name", "process_id", "connection_from",
	"session_id", "session_line_num", "command_tag", "session_start_time",
	"virtual_transaction_id", "transaction_id", "error_severity", "sql_state_code",
	"message", "detail", "hint", "internal_query", "internal_query_pos", "context",
	"query", "query_pos", "location", "application_name", "backend_type",
	"leader_pid", "query_id",
}

func (e *cnpgEnv) next() ([]byte, envMeta, error) {
	for {
		line, err := e.record()
		if err != nil {
			return nil, envMeta{}, err
		}
		r := &e.rec
		r.Logger, r.Pod, r.Record = "", "", nil
		if json.Unmarshal(line, r) != nil || r.Logger != "postgres" || r.Record == nil {
			e.skip()
			continue
		}
		e.csv = e.csv[:0]
		for i, c := range cnpgColumns {
			if i > 0 {
				e.csv = append(e.csv, ',')
			}
			e.csv = appendCSVField(e.csv, jsonScalar(r.Record[c]), c == "message")
		}
		var m envMeta
		if r.Pod != "" {
			m.origin = e.origin([]byte(r.Pod))
		}
		return e.csv, m, nil
	}
}

// jsonScalar returns a decoded JSON string or number as text.
func jsonScalar(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

// appendCSVField appends s as a csvlog field: quoted when asked or when
// it must be (a comma, a quote or a line break in it).
func appendCSVField(b []byte, s string, quoted bool) []byte {
	if !quoted && !strings.ContainsAny(s, ",\"\r\n") {
		return append(b, s...)
	}
	b = append(b, '"')
	for i := range len(s) {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

// gcloudEnv reads Google Cloud Logging entries (Cloud SQL): one JSON
// entry per line as an export sink writes them, or one JSON array of
// them as `gcloud logging read --format=json` prints it. The server's
// line is in textPayload, the time in timestamp, the instance in
// resource.labels.database_id. gcloud lists the newest entry first
// unless told --order=asc: an array in that order is read backwards.
type gcloudEnv struct {
	envBase
	array   bool
	entries []gcloudLine // the array, read whole
	err     error        // where the array broke off, after its entries
	started bool
	rec     gcloudEntry
}

type gcloudEntry struct {
	InsertID    string  `json:"insertId"`
	LogName     string  `json:"logName"`
	TextPayload *string `json:"textPayload"`
	Timestamp   string  `json:"timestamp"`
	Resource    struct {
		Labels map[string]string `json:"labels"`
	} `json:"resource"`
}

type gcloudLine struct {
	text []byte
	m    envMeta
}

func (e *gcloudEnv) next() ([]byte, envMeta, error) {
	if l, m, ok := e.pop(); ok {
		return l, m, nil
	}
	if !e.started {
		e.started = true
		if err := e.start(); err != nil {
			return nil, envMeta{}, err
		}
	}
	if e.array {
		for len(e.entries) > 0 {
			g := e.entries[0]
			e.entries = e.entries[1:]
			l, m := e.emit(g.text, g.m)
			return l, m, nil
		}
		if e.err != nil {
			return nil, envMeta{}, e.err
		}
		return nil, envMeta{}, io.EOF
	}
	for {
		line, err := e.record()
		if err != nil {
			return nil, envMeta{}, err
		}
		e.rec = gcloudEntry{}
		if json.Unmarshal(line, &e.rec) != nil || e.rec.TextPayload == nil {
			e.skip()
			continue
		}
		l, m := e.emit([]byte(*e.rec.TextPayload), e.meta(&e.rec))
		return l, m, nil
	}
}

func (e *gcloudEnv) meta(g *gcloudEntry) envMeta {
	m := envMeta{time: syslogTime([]byte(g.Timestamp))}
	for _, k := range []string{"database_id", "instance_id"} {
		if v := g.Resource.Labels[k]; v != "" {
			m.origin = e.origin([]byte(v))
			break
		}
	}
	return m
}

// start tells an array from entries one per line by the first line, and
// reads an array whole.
func (e *gcloudEnv) start() error {
	line, err := e.record()
	if err != nil {
		return err
	}
	first := bytes.TrimSpace(line)
	if first[0] != '[' {
		e.queue, e.qmeta = nil, envMeta{}
		// Not an array: give the first line back to next.
		held := append([]byte(nil), first...)
		src := e.src
		e.src = func() ([]byte, error) {
			e.src = src
			return held, nil
		}
		return nil
	}
	e.array = true
	dec := json.NewDecoder(&sourceReader{src: e.src, buf: append(append([]byte(nil), first...), '\n')})
	if _, err := dec.Token(); err != nil { // [
		return arrayError(err)
	}
	for dec.More() {
		var g gcloudEntry
		if err := dec.Decode(&g); err != nil {
			e.err = arrayError(err) // the entries before are read first
			break
		}
		if len(e.entries) == 0 && g.TextPayload == nil && g.InsertID == "" && g.LogName == "" {
			return fmt.Errorf("%w: an array of objects without textPayload, insertId or logName", ErrUnknownJSON)
		}
		if g.TextPayload == nil {
			e.skip()
			continue
		}
		e.entries = append(e.entries, gcloudLine{[]byte(*g.TextPayload), e.meta(&g)})
	}
	if e.err == nil {
		if _, err := dec.Token(); err != nil { // ], or the array was cut short
			e.err = arrayError(err)
		}
	}
	if n := len(e.entries); n > 1 && e.entries[0].m.time.After(e.entries[n-1].m.time) {
		slices.Reverse(e.entries) // newest first, as gcloud lists by default
	}
	return nil
}

// arrayError is the error of a gcloud JSON array that breaks off at err:
// ErrMalformed for bad or cut JSON, a read error as it is.
func arrayError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	if errors.As(err, &syn) || errors.As(err, &typ) || errors.Is(err, io.ErrUnexpectedEOF) || err == io.EOF {
		return fmt.Errorf("%w: gcloud JSON array: %v", ErrMalformed, err)
	}
	return err
}

// sourceReader is an io.Reader over a line source: the lines, each with
// its newline, after buf.
type sourceReader struct {
	src lineFunc
	buf []byte
}

func (s *sourceReader) Read(p []byte) (int, error) {
	for len(s.buf) == 0 {
		line, err := s.src()
		if err != nil {
			return 0, err
		}
		s.buf = append(append(s.buf[:0], line...), '\n')
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	return n, nil
}

// herokuEnv reads Heroku's logplex output (`heroku logs`, a log drain):
// "TIME app[postgres.PID]: [ATTACHMENT] [SEQ-CHUNK] sql_error_code =
// CODE LINE". The PID is in the dyno name, the time in the envelope, the
// database's attachment name is the origin. Other sources (the router,
// the app's own dynos, heroku-postgres metrics) are skipped and counted.
type herokuEnv struct{ envBase }

func (e *herokuEnv) next() ([]byte, envMeta, error) {
	for {
		line, err := e.record()
		if err != nil {
			return nil, envMeta{}, err
		}
		t, n := rfc3339Stamp(line)
		tag, rest, ok := bytes.Cut(line[n:], []byte("]: "))
		_, dyno, _ := bytes.Cut(tag, []byte("["))
		pid, isPG := bytes.CutPrefix(dyno, []byte("postgres."))
		if n == 0 || !ok || !isPG || !digits(pid) || len(pid) > maxPIDDigits {
			e.skip()
			continue
		}
		m := envMeta{time: t, pid: atoi(pid)}
		// "[DATABASE] ": the attachment.
		if len(rest) > 2 && rest[0] == '[' {
			if k := bytes.IndexByte(rest, ']'); k > 1 && k+1 < len(rest) && rest[k+1] == ' ' && !digits(rest[1:2]) {
				m.origin = e.origin(rest[1:k])
				rest = rest[k+2:]
			}
		}
		rest = syslogBody(rest)
		cont := len(rest) > 0 && rest[0] == '\t'
		body := bytes.TrimLeft(rest, " \t")
		if b, ok := bytes.CutPrefix(body, []byte("sql_error_code = ")); ok && len(b) > 6 && b[5] == ' ' {
			body = b[6:]
		}
		if cont {
			rest = rest[:1]
			return append(rest, body...), m, nil
		}
		return body, m, nil
	}
}

// isHeroku reports whether line is a logplex line: a time stamp, then a
// source and dyno "app[postgres.1234]: " (no host, unlike syslog).
func isHeroku(line []byte) bool {
	rest, ok := afterStamp(line)
	if !ok {
		return false
	}
	k := bytes.Index(rest[:min(len(rest), 128)], []byte("]: "))
	if k < 0 {
		return false
	}
	tag := rest[:k]
	open := bytes.IndexByte(tag, '[')
	return open > 0 && bytes.IndexByte(tag, ' ') < 0 && !digits(tag[open+1:])
}
