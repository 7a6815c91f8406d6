#!/usr/bin/env python3
"""Writes testdata/logs/contract.log: a Debian-prefixed PostgreSQL 15 log whose
numbers are exactly the spec contract's example (47 active, 234 connects,
187 disconnects, the contract's rows). Deterministic; run from the repo root."""
import datetime

open_sessions = [  # (db, user, app or None, count) still open at the end
    ("production", "app_user", "rails", 20), ("production", "app_user", "sidekiq", 5),
    ("production", "readonly", "sidekiq", 3), ("production", "readonly", "psql", 2),
    ("production", "admin", "psql", 2),
    ("analytics", "readonly", None, 7), ("analytics", "app_user", None, 1),
    ("test", "admin", "psql", 1), ("test", "admin", None, 4), ("test", "app_user", None, 2),
]
closed = 187  # sessions that connect and disconnect

t = datetime.datetime(2026, 11, 24, 9, 0, 0)
pid = 4000
lines = []

def ts():
    return t.strftime("%Y-%m-%d %H:%M:%S.") + f"{t.microsecond // 1000:03d} UTC"

def connect(db, user, app, host):
    global t
    lines.append(f"{ts()} [{pid}] [unknown]@[unknown] LOG:  connection received: host={host} port={50000 + pid % 10000}")
    t += datetime.timedelta(milliseconds=3)
    a = f" application_name={app}" if app else ""
    lines.append(f"{ts()} [{pid}] {user}@{db} LOG:  connection authorized: user={user} database={db}{a}")

lines.append(f"{ts()} [3999] LOG:  starting PostgreSQL 15.18 (Debian 15.18-0+deb12u1) on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit")
lines.append(f"{ts()} [3999] LOG:  database system is ready to accept connections")
short = [("production", "app_user", "rails"), ("analytics", "readonly", None), ("test", "admin", "psql")]
for i in range(closed):
    db, user, app = short[i % 3]
    t += datetime.timedelta(seconds=7)
    connect(db, user, app, f"10.0.1.{i % 50 + 1}")
    start = t
    t += datetime.timedelta(seconds=1, milliseconds=250)
    d = t - start
    lines.append(f"{ts()} [{pid}] {user}@{db} LOG:  disconnection: session time: 0:00:{d.seconds:02d}.{d.microseconds // 1000:03d} user={user} database={db} host=10.0.1.{i % 50 + 1} port={50000 + pid % 10000}")
    pid += 1
for db, user, app, n in open_sessions:
    for _ in range(n):
        t += datetime.timedelta(seconds=11)
        connect(db, user, app, "10.0.2.7")
        pid += 1

with open("testdata/logs/contract.log", "w") as f:
    f.write("\n".join(lines) + "\n")
