# Builds testdata/logs/pg12.log … pg18.log line by line from the message texts of
# /work/shared/reference/postgres-connection-logs.md (run from the repository root).
import os
D='testdata/logs'
def w(name, prefix_fn, lines):
    out=[]
    for l in lines:
        if isinstance(l,str):
            out.append(l)
        else:
            ts,pid,ud,rest=l
            out.append(prefix_fn(ts,pid,ud)+rest)
    open(os.path.join(D,name),'w').write('\n'.join(out)+'\n')
deb=lambda ts,pid,ud: f"2026-11-24 {ts} UTC [{pid}] " + (ud+' ' if ud else '')
SSL12=" SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256, compression=off)"
SSL14=" SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)"
def common(ver, authz, hba_tail, matched, reserved, crashnoun, extra_warn, authn=None, ready=None, walsender_fail=None):
    L=[]
    L.append(("10:00:00.000",100,"",f"LOG:  starting PostgreSQL {ver} on x86_64-pc-linux-gnu, compiled by gcc, 64-bit"))
    L.append(("10:00:00.010",100,"","LOG:  database system is ready to accept connections"))
    def session(t,pid,host,u,d,app,ssl,with_ready=False):
        L.append((t+".000",pid,"[unknown]@[unknown]","LOG:  connection received: host="+host))
        if authn: L.append((t+".003",pid,f"{u}@{d}",authn(u)))
        L.append((t+".004",pid,f"{u}@{d}",authz(u,d,app,ssl)))
        if ready and with_ready: L.append((t+".005",pid,f"{u}@{d}",ready))
    session("10:01:00",201,"10.0.1.5 port=50001","alice","appdb","rails",True,True)
    session("10:02:00",202,"[local]","bob","analytics",None,False)
    L.append(("10:03:00.000",203,"[unknown]@[unknown]","LOG:  connection received: host=10.0.1.9 port=50003"))
    L.append(("10:03:00.004",203,"repl@[unknown]","LOG:  replication connection authorized: user=repl application_name=walreceiver"+(SSL12 if ver.startswith(('12','13')) else SSL14)))
    L.append(("10:04:00.000",204,"[unknown]@[unknown]","LOG:  connection received: host=10.0.1.6 port=50004"))
    L.append(("10:04:00.010",204,"mallory@appdb",'FATAL:  password authentication failed for user "mallory"'))
    L.append(("10:04:00.010",204,"mallory@appdb",'DETAIL:  Role "mallory" does not exist.'))
    L.append("\t"+matched)
    L.append(("10:05:00.000",205,"[unknown]@[unknown]","LOG:  connection received: host=10.0.1.7 port=50005"))
    L.append(("10:05:00.001",205,"eve@appdb",f'FATAL:  no pg_hba.conf entry for host "10.0.1.7", user "eve", database "appdb", {hba_tail}'))
    L.append(("10:06:00.000",206,"[unknown]@[unknown]","LOG:  connection received: host=10.0.1.5 port=50006"))
    L.append(("10:06:00.004",206,"alice@appdb",authz("alice","appdb","rails",False)))
    L.append(("10:06:00.005",206,"alice@appdb","FATAL:  "+reserved))
    if walsender_fail:
        L.append(("10:06:30.000",207,"[unknown]@[unknown]","LOG:  connection received: host=10.0.1.9 port=50007"))
        L.append(("10:06:30.004",207,"app@[unknown]","LOG:  replication connection authorized: user=app"))
        L.append(("10:06:30.005",207,"app@[unknown]","FATAL:  "+walsender_fail))
    L.append(("10:07:00.000",202,"bob@analytics","LOG:  disconnection: session time: 0:05:00.000 user=bob database=analytics host=[local]"))
    session("10:08:00",208,"[local]","carol","appdb","psql",False)
    L.append(("10:09:00.000",100,"",f"LOG:  {crashnoun} (PID 208) was terminated by signal 9: Killed"))
    L.append(("10:09:00.000",100,"","DETAIL:  Failed process was running: select pg_sleep(60)"))
    L.append(("10:09:00.001",100,"","LOG:  terminating any other active server processes"))
    if extra_warn:
        L.append(("10:09:00.001",201,"alice@appdb","WARNING:  terminating connection because of crash of another server process"))
        L.append(("10:09:00.001",201,"alice@appdb","DETAIL:  The postmaster has commanded this server process to roll back the current transaction and exit, because another server process exited abnormally and possibly corrupted shared memory."))
    L.append(("10:09:00.050",100,"","LOG:  all server processes terminated; reinitializing"))
    L.append(("10:09:01.000",100,"","LOG:  database system is ready to accept connections"))
    session("10:10:00",209,"10.0.1.8 port=50009","dave","appdb","sidekiq",True,True)
    session("10:11:00",210,"10.0.1.8 port=50010","dave","nosuchdb","sidekiq",False)
    L.append(("10:11:00.005",210,"dave@nosuchdb",'FATAL:  database "nosuchdb" does not exist'))
    return L
def authz12(u,d,app,ssl):
    s=f"LOG:  connection authorized: user={u} database={d}"
    if app: s+=f" application_name={app}"
    if ssl: s+=SSL12
    return s
def authz14(u,d,app,ssl):
    s=f"LOG:  connection authorized: user={u} database={d}"
    if app: s+=f" application_name={app}"
    if ssl: s+=SSL14+" GSS (authenticated=no, encrypted=no)"
    return s
def authz16(u,d,app,ssl):
    s=f"LOG:  connection authorized: user={u} database={d}"
    if app: s+=f" application_name={app}"
    if ssl: s+=SSL14+" GSS (authenticated=yes, encrypted=no, delegated_credentials=no, principal=alice@EXAMPLE.COM)"
    return s
m12='Connection matched pg_hba.conf line 4: "host    all             all             0.0.0.0/0            md5"'
m16='Connection matched file "/etc/postgresql/16/main/pg_hba.conf" line 4: "host    all             all             0.0.0.0/0            scram-sha-256"'
ident=lambda u: f'LOG:  connection authenticated: identity="{u}" method=scram-sha-256 (/etc/postgresql/14/main/pg_hba.conf:3)'
trust17=lambda u: f'LOG:  connection authenticated: user="{u}" method=trust (/etc/postgresql/17/main/pg_hba.conf:3)'
w('pg12.log',deb,common('12.22',authz12,'SSL off',m12,'remaining connection slots are reserved for non-replication superuser connections','server process',True,walsender_fail='must be superuser or replication role to start walsender'))
w('pg13.log',deb,common('13.18',authz12,'SSL on',m12,'remaining connection slots are reserved for non-replication superuser connections','server process',True))
w('pg14.log',deb,common('14.15',authz14,'no encryption',m12,'remaining connection slots are reserved for non-replication superuser connections','server process',False,authn=ident))
w('pg16.log',deb,common('16.6',authz16,'SSL encryption',m16,'remaining connection slots are reserved for roles with the SUPERUSER attribute','server process',False,authn=ident,walsender_fail='permission denied to start WAL sender'))
w('pg17.log',deb,common('17.2',authz16,'GSS encryption',m16,'remaining connection slots are reserved for roles with privileges of the "pg_use_reserved_connections" role','server process',False,authn=trust17))
w('pg18.log',deb,common('18.1',authz16,'no encryption',m16,'remaining connection slots are reserved for roles with the SUPERUSER attribute','client backend',False,authn=trust17,ready='LOG:  connection ready: setup total=12.345 ms, fork=1.234 ms, authentication=8.765 ms',walsender_fail='permission denied to start WAL sender'))
