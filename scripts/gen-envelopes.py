#!/usr/bin/env python3
"""Wrap a real server log in the envelopes of the platforms pgtail reads.

    python3 scripts/gen-envelopes.py [testdata/logs/pg15-debian.log [testdata/envelopes]]

The input is real PostgreSQL 15 output (log_destination = 'stderr',
log_line_prefix = '%m [%p] %q%u@%d '). Every output file carries the same
server lines, wrapped the way the platform's documented format wraps them,
so `pgtail connections` must give the same summary for each as for the bare
log (testdata/script/envelopes.txtar checks it):

  kubectl.log            kubectl logs --timestamps (also docker logs --timestamps)
  kubectl-2pods.log      kubectl logs -l … --prefix --timestamps: the log of two
                         pods that share PIDs, interleaved
  cri.log                containerd/CRI-O files (/var/log/pods/…): TIME STREAM P|F;
                         lines are split at 64 bytes (the runtime splits at 16 KiB)
                         so that joining the P pieces is tested
  docker-json.log        Docker json-file: {"log":…,"stream":…,"time":…}, split
                         like cri.log, escaped as Go's encoding/json does
  journald.json          journalctl -o json, stderr captured by systemd
                         (_TRANSPORT=stdout); systemd's own lines around it, one
                         MESSAGE as an array of bytes
  journald-syslog.json   journalctl -o json of log_destination = 'syslog' with
                         log_line_prefix = '%q%u@%d ': the time and PID only in
                         the envelope (__REALTIME_TIMESTAMP, _PID)
  journald-short-iso.log journalctl -o short-iso (stderr captured)
  journald-short-precise.log  journalctl -o short-precise
  cnpg.json              CloudNativePG: csvlog columns under "record", with the
                         instance manager's own lines in between
  kubectl-cnpg.log       cnpg.json as kubectl logs --prefix --timestamps shows it
  gcloud.json            Cloud Logging export sink (Cloud SQL): one entry a line,
                         Cloud SQL's prefix '[%p]: [%l-1] db=%d,user=%u ' (no time)
  gcloud-array.json      gcloud logging read --format=json: an array, newest first
  heroku.log             heroku logs: TIME app[postgres.PID]: [DATABASE] [L-1]
                         sql_error_code = CODE …, with router lines in between
  syslog.log             rsyslog's traditional file format (no year), Debian's
                         prefix under log_destination = 'syslog'
  syslog-noyear.log      the same with log_line_prefix = '%q%u@%d ': the only
                         time is the syslog stamp, which has no year
"""
import datetime as dt
import json
import os
import re
import sys

SRC = sys.argv[1] if len(sys.argv) > 1 else "testdata/logs/pg15-debian.log"
OUT = sys.argv[2] if len(sys.argv) > 2 else "testdata/envelopes"
SPLIT = 64  # bytes per CRI / json-file piece (16 KiB on a real runtime)
HOST = "db1"

LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) UTC \[(\d+)\] (?:(\S+)@(\S*) )?([A-Z]+):  (.*)$")


class Entry:
    def __init__(self, raw):
        m = LINE.match(raw)
        if not m:
            sys.exit(f"not a line of the expected prefix: {raw!r}")
        self.raw = raw
        self.time = dt.datetime.strptime(m[1], "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=dt.timezone.utc)
        self.pid = int(m[2])
        self.user, self.db = m[3], m[4]
        self.sev, self.msg = m[5], m[6]
        self.who = f"{m[3]}@{m[4]} " if m[3] is not None else ""  # %q%u@%d


def read():
    with open(SRC, encoding="utf-8") as f:
        return [Entry(l.rstrip("\n")) for l in f if l.strip()]


def rfc3339(t, nanos=0, z="Z"):
    s = t.strftime("%Y-%m-%dT%H:%M:%S") + f".{t.microsecond * 1000 + nanos:09d}"
    return s + z


def go_json(obj):
    """JSON as Go's encoding/json writes it (Docker, CloudNativePG)."""
    s = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    return s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def pieces(b):
    return [b[i:i + SPLIT] for i in range(0, len(b), SPLIT)] or [b""]


def write(name, lines):
    with open(os.path.join(OUT, name), "w", encoding="utf-8", newline="\n") as f:
        for l in lines:
            f.write(l + "\n")


def syslog_numbered(entries, body):
    """PostgreSQL's syslog numbering: [SEQ-CHUNK], SEQ per process; a
    DETAIL is the second chunk of the message before it."""
    seq, last = {}, {}
    for e in entries:
        if e.sev == "DETAIL" and e.pid in last:
            yield e, f"[{last[e.pid]}-2] {body(e)}"
            continue
        seq[e.pid] = seq.get(e.pid, 0) + 1
        last[e.pid] = seq[e.pid]
        yield e, f"[{seq[e.pid]}-1] {body(e)}"


def trad(t, frac=False):
    s = t.strftime("%b ") + f"{t.day:2d}" + t.strftime(" %H:%M:%S")
    return s + (f".{t.microsecond:06d}" if frac else "")


def main():
    es = read()
    os.makedirs(OUT, exist_ok=True)

    write("kubectl.log", [f"{rfc3339(e.time, 123)} {e.raw}" for e in es])
    two = []
    for e in es:
        for i, pod in enumerate(("cluster-1", "cluster-2")):
            two.append(f"[pod/{pod}/postgres] {rfc3339(e.time, 100 + i)} {e.raw}")
    write("kubectl-2pods.log", two)

    cri, dj = [], []
    for e in es:
        ps = pieces(e.raw)
        for i, p in enumerate(ps):
            tag = "F" if i == len(ps) - 1 else "P"
            cri.append(f"{rfc3339(e.time, 500 + i)} stderr {tag} {p}")
            log = p + ("\n" if tag == "F" else "")
            dj.append(go_json({"log": log, "stream": "stderr", "time": rfc3339(e.time, 500 + i)}))
    write("cri.log", cri)
    write("docker-json.log", dj)

    post = es[0].pid
    unit = "postgresql@15-main.service"

    def jentry(t, pid, transport, msg, ident="postgres"):
        us = int(t.timestamp() * 1_000_000)
        d = {"__CURSOR": f"s=0;i={us:x}", "__REALTIME_TIMESTAMP": str(us), "_HOSTNAME": HOST,
             "_TRANSPORT": transport, "SYSLOG_IDENTIFIER": ident, "_PID": str(pid),
             "_SYSTEMD_UNIT": unit, "PRIORITY": "6", "MESSAGE": msg}
        return json.dumps(d, separators=(",", ":"))

    js = [jentry(es[0].time, 1, "journal", "Starting PostgreSQL Cluster 15-main...", "systemd")]
    for i, e in enumerate(es):
        msg = e.raw
        if i == 1:
            msg = list(e.raw.encode())  # how journalctl shows a MESSAGE that is not valid UTF-8
        js.append(jentry(e.time, post, "stdout", msg))
    js.append(jentry(es[-1].time, 1, "journal", "Stopped PostgreSQL Cluster 15-main.", "systemd"))
    write("journald.json", js)

    js = [jentry(e.time, e.pid, "syslog", line)
          for e, line in syslog_numbered(es, lambda e: f"{e.who}{e.sev}:  {e.msg}")]
    write("journald-syslog.json", js)

    head = "-- Journal begins at Mon 2026-11-23 10:00:00 UTC, ends at Wed 2026-11-25 21:44:07 UTC. --"
    write("journald-short-iso.log", [head] + [
        f"{e.time.strftime('%Y-%m-%dT%H:%M:%S+0000')} {HOST} postgres[{post}]: {e.raw}" for e in es])
    write("journald-short-precise.log", [head] + [
        f"{trad(e.time, True)} {HOST} postgres[{post}]: {e.raw}" for e in es])

    cn = cnpg(es)
    write("cnpg.json", cn)
    # kubectl logs -l cnpg.io/cluster=cluster --prefix --timestamps
    write("kubectl-cnpg.log", [f"[pod/cluster-1/postgres] {json.loads(l)['ts'][:-4]}123Z {l}" for l in cn])

    gl = list(gcloud(es))
    write("gcloud.json", [json.dumps(g, separators=(",", ":")) for g in gl])
    with open(os.path.join(OUT, "gcloud-array.json"), "w", encoding="utf-8") as f:
        json.dump(list(reversed(gl)), f, indent=2)
        f.write("\n")

    write("heroku.log", heroku(es))

    write("syslog.log", [f"{trad(e.time)} {HOST} postgres[{e.pid}]: {line}"
                         for e, line in syslog_numbered(es, lambda e: e.raw)])
    write("syslog-noyear.log", [f"{trad(e.time)} {HOST} postgres[{e.pid}]: {line}"
                                for e, line in syslog_numbered(es, lambda e: f"{e.who}{e.sev}:  {e.msg}")])


def sessions(es):
    """Per PID: the client address of its "connection received"."""
    frm = {}
    for e in es:
        m = re.match(r"connection received: host=(\S+)(?: port=(\d+))?", e.msg)
        if m:
            frm[e.pid] = m[1] + (f":{m[2]}" if m[2] else "")
        yield e, frm.get(e.pid, "")


def cnpg(es):
    """CloudNativePG: the csvlog record of each entry (its DETAIL in the
    record's detail column), and the instance manager's lines."""
    out = [go_json({"level": "info", "ts": rfc3339(es[0].time), "logger": "instance-manager",
                    "msg": "Starting CloudNativePG Instance Manager", "logging_pod": "cluster-1"})]
    recs, num = [], {}
    for e, frm in sessions(es):
        if e.sev == "DETAIL" and recs and recs[-1][1]["process_id"] == str(e.pid):
            recs[-1][1]["detail"] = e.msg
            continue
        num[e.pid] = num.get(e.pid, 0) + 1
        app = ""
        m = re.search(r"application_name=(\S+)", e.msg)
        if m:
            app = m[1]
        rec = {
            "log_time": e.time.strftime("%Y-%m-%d %H:%M:%S.") + f"{e.time.microsecond // 1000:03d} UTC",
            "user_name": "" if e.user in (None, "[unknown]") else e.user,
            "database_name": "" if e.db in (None, "[unknown]") else e.db,
            "process_id": str(e.pid),
            "connection_from": frm,
            "session_id": f"{int(es[0].time.timestamp()):x}.{e.pid:x}",
            "session_line_num": str(num[e.pid]),
            "command_tag": "authentication" if e.who else "",
            "session_start_time": es[0].time.strftime("%Y-%m-%d %H:%M:%S UTC"),
            "virtual_transaction_id": "", "transaction_id": "0",
            "error_severity": e.sev, "sql_state_code": "00000" if e.sev == "LOG" else "28000",
            "message": e.msg,
            "backend_type": "client backend" if e.who else "postmaster",
            "query_id": "0", "application_name": app,
        }
        recs.append((e, rec))
    for i, (e, rec) in enumerate(recs):
        out.append(go_json({"level": "info", "ts": rfc3339(e.time), "logger": "postgres", "msg": "record",
                            "logging_pod": "cluster-1", "record": rec}))
        if i % 40 == 39:
            out.append(go_json({"level": "info", "ts": rfc3339(e.time), "logger": "wal-archive",
                                "msg": "Archived WAL file", "logging_pod": "cluster-1"}))
    return out


def gcloud(es):
    """Cloud SQL entries: textPayload with Cloud SQL's prefix, no time in it."""
    num = {}
    for i, e in enumerate(es):
        num[e.pid] = num.get(e.pid, 0) + 1
        db = "" if e.db is None else e.db
        user = "" if e.user is None else e.user
        text = f"[{e.pid}]: [{num[e.pid]}-1] db={db},user={user} {e.sev}:  {e.msg}"
        yield {
            "insertId": f"s={i:x};i={e.pid:x}",
            "logName": "projects/demo/logs/cloudsql.googleapis.com%2Fpostgres.log",
            "receiveTimestamp": rfc3339(e.time + dt.timedelta(seconds=1)),
            "resource": {"labels": {"database_id": "demo:db-1", "project_id": "demo", "region": "europe-west1"},
                         "type": "cloudsql_database"},
            "severity": "INFO" if e.sev == "LOG" else "ERROR",
            "textPayload": text,
            "timestamp": rfc3339(e.time).replace("000Z", "Z"),
        }
        if i == 20:
            yield {"insertId": "audit", "logName": "projects/demo/logs/cloudaudit.googleapis.com%2Factivity",
                   "protoPayload": {"methodName": "cloudsql.instances.update"},
                   "resource": {"labels": {"database_id": "demo:db-1"}, "type": "cloudsql_database"},
                   "timestamp": rfc3339(e.time)}


def heroku(es):
    out = []
    code = {"LOG": "00000", "FATAL": "28000", "DETAIL": "28000"}
    for i, (e, line) in enumerate(syslog_numbered(es, lambda e: f" sql_error_code = {code[e.sev]} {e.sev}:  {e.msg}")):
        t = e.time.strftime("%Y-%m-%dT%H:%M:%S.") + f"{e.time.microsecond:06d}+00:00"
        out.append(f"{t} app[postgres.{e.pid}]: [DATABASE] {line}")
        if i % 50 == 0:
            out.append(f"{t} heroku[router]: at=info method=GET path=\"/\" host=demo.herokuapp.com status=200")
    return out


if __name__ == "__main__":
    main()
