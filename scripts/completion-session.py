#!/usr/bin/env python3
"""A recorded interactive bash session of pgtail's completion (issue 15).

It starts a real interactive bash on a pseudo-terminal (readline, TAB), runs
a live tracker in its background -- `tail -F growing.json | pgtail connections
--watch` while a loop appends jsonlog connection lines -- with PGTAIL_STATE in
a temp dir (never yours), loads `pgtail completion bash` and presses TAB after
a few command lines. It prints what the terminal showed.

    go build -o /tmp/pgtail-bin/pgtail . && PATH=/tmp/pgtail-bin:$PATH scripts/completion-session.py
"""
import os, pty, re, select, shutil, sys, tempfile, time

if not shutil.which("pgtail"):
    sys.exit("pgtail is not on PATH")
work = tempfile.mkdtemp(prefix="pgtail-session.")
grow = os.path.join(work, "grow.sh")
with open(grow, "w") as f:
    f.write(r'''#!/bin/bash
# appends a jsonlog connection line every 0.3 s
i=0
names=("production|app_user|rails" "prod-eu|app_user|sidekiq" "my db|o'brien|psql" "analytics|readonly|metabase")
while :; do
	IFS='|' read -r d u a <<<"${names[i % 4]}"
	printf '{"timestamp":"2026-11-30 21:%02d:%02d.000 UTC","user":"%s","dbname":"%s","pid":%d,"error_severity":"LOG","message":"connection authorized: user=%s database=%s application_name=%s","application_name":"%s"}\n' \
		$((i / 60 % 60)) $((i % 60)) "$u" "$d" $((2000 + i)) "$u" "$d" "$a" "$a" >>growing.json
	i=$((i + 1))
	sleep 0.3
done
''')
os.chmod(grow, 0o755)
env = dict(os.environ, PGTAIL_STATE=os.path.join(work, "state.json"), TERM="dumb", PS1="$ ",
           HOME=work, INPUTRC="/dev/null")
pid, fd = pty.fork()
if pid == 0:
    os.chdir(work)
    os.execve("/bin/bash", ["bash", "--norc", "--noprofile", "-i"], env)
out = b""


def send(s, wait):
    global out
    os.write(fd, s.encode())
    end = time.time() + wait
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                out += os.read(fd, 65536)
            except OSError:
                return


send("", 0.5)
send("stty cols 100; bind 'set show-all-if-ambiguous on'; bind 'set completion-query-items 1000'\n", 1)
send("./grow.sh & tail -F growing.json 2>/dev/null | pgtail connections --watch --color=never >watch.out &\n", 1)
send('sleep 3; eval "$(pgtail completion bash)"; complete -p pgtail\n', 4)
for line in ["pgtail connections --", "pgtail connections --format=", "pgtail connections --db=",
             "pgtail connections --db=pro", "pgtail connections --db=my", "pgtail connections --user="]:
    send(line, 0.3)
    send("\t", 1.5)
    send("\x03", 0.7)  # ^C drops the line
send("pgtail connections --db=prod-eu | head -3\n", 2)
send("kill %1 %2; wait\n", 2)
send("exit\n", 1)
os.waitpid(pid, 0)
shutil.rmtree(work, ignore_errors=True)
text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.decode(errors="replace"))
print(text.replace("\r", "").replace("\x07", ""))
