"""Not a drill but the cluster's measurement (docs/BENCHMARKS.md): submissions per second at 8
in flight through nginx and two portals, with both portals on one Galera node and on two nodes,
and the certification conflicts that cost (wsrep_local_cert_failures, and the tables named in
the conflicts the nodes log). CLUSTERBENCH_OLD_BIN (and CLUSTERBENCH_OLD_MIGRATIONS) measure another
portal first, e.g. one built from the commit before the audit chain per writer (labelled
CLUSTERBENCH_OLD_LABEL, "before"; CLUSTERBENCH_OLD_ONLY=1 measures only that one).
Run: scripts/drill clusterbench (as root; wrk from Debian)."""
import collections
import json
import os
import re
import subprocess
import time

import drillkit
from drillkit import (PORTAL_BIN, ROOT, TMP, Client, Process, free_port, portal_env,
                      prepare_applicant, say, submission)
from galera import Cluster

TITLE = "submissions per second and certification conflicts on three Galera nodes"
SECONDS = int(os.environ.get("CLUSTERBENCH_SECONDS", "20"))
CONC = 8


def wrk(url, body, token, log):
    env = dict(os.environ, BENCH_BODY=body, BENCH_TOKEN=token, BENCH_CONNS=str(CONC))
    out = subprocess.run(["wrk", "-t1", "-c%d" % CONC, "-d%ds" % SECONDS, "--latency", "-s",
                          os.path.join(ROOT, "bench", "submit.lua"), url], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
    with open(log, "w") as f:
        f.write(out)
    line = [x for x in out.splitlines() if x.startswith("RESULT")]
    r = dict(kv.split("=") for kv in line[-1].split()[1:]) if line else {}
    m = re.search(r"(\d+) requests in ([\d.]+)s", out)
    if m and "errors" in r:  # wrk's rate counts the refused ones too
        r["ok_rps"] = "%.1f" % ((int(m.group(1)) - int(r["errors"])) / float(m.group(2)))
    return r


def conflict_tables(cl, offsets):
    """Tables of the statements that lost conflicts, as the nodes logged them since offsets
    (wsrep_log_conflicts)."""
    count = collections.Counter()
    for n in (1, 2, 3):
        path = os.path.join(cl.dir, "node%d" % n, "mariadbd.err")
        with open(path, errors="replace") as f:
            f.seek(offsets[n])
            # the losing transaction's statement, after each "cluster conflict"
            for m in re.finditer(r"mode: local.*\n\s*SQL: (?:INSERT (?:IGNORE )?INTO|UPDATE|"
                                 r"DELETE FROM|SELECT .*? FROM) `?(\w+)", f.read()):
                count[m.group(1)] += 1
    return count


def log_offsets(cl):
    return {n: os.path.getsize(os.path.join(cl.dir, "node%d" % n, "mariadbd.err"))
            for n in (1, 2, 3)}


def measure(cl, label, binary, migrations):
    db = "bench_" + label
    cl.sql(1, "CREATE DATABASE %s CHARACTER SET utf8mb4" % db)
    shared = os.path.join(TMP, "bench-keys")
    os.makedirs(shared, exist_ok=True)
    rows = []
    for layout, nodes in (("one node", (1, 1)), ("two nodes", (1, 2))):
        envs = []
        for i, node in enumerate(nodes):
            data = os.path.join(TMP, "bench-%s-%d" % (label, i))
            os.makedirs(data, exist_ok=True)
            env = portal_env(db, data, PORTAL_DISPATCH_THREADS=0, PORTAL_ACCESS_LOG=0,
                             PORTAL_MIGRATIONS=migrations,
                             PORTAL_SIGNING_KEY=os.path.join(shared, "signing.key"),
                             PORTAL_SECRETS_KEY=os.path.join(shared, "secrets.key"))
            env["PORTAL_DB"] = cl.url(node, db, only=True)
            envs.append(env)
        if not rows:
            for cmd in (["migrate"], ["seed-demo", "--no-history"]):
                subprocess.run([binary] + cmd, env=envs[0], check=True,
                               stdout=subprocess.DEVNULL)
        old_bin, drillkit.PORTAL_BIN = drillkit.PORTAL_BIN, binary  # Process runs it
        portals = [Process(e, name="bench-%s-%d" % (label, i)).start()
                   for i, e in enumerate(envs)]
        drillkit.PORTAL_BIN = old_bin
        lb = free_port()
        cl.start_nginx(lb, [p.port for p in portals])
        applicant = Client(lb).login("applicant")
        site, mats = prepare_applicant(applicant)
        body = os.path.join(TMP, "bench-body.json")
        sub = submission(site, mats, 0)
        sub["works"]["excavations"][0]["road"] = "Jingshi Road"
        with open(body, "w") as f:
            json.dump(sub, f)
        offsets = log_offsets(cl)
        before = cl.total("wsrep_local_cert_failures")
        bf = cl.total("wsrep_local_bf_aborts")
        r = wrk("http://127.0.0.1:%d" % lb, body, applicant.token,
                os.path.join(TMP, "wrk-%s-%s.txt" % (label, layout.replace(" ", "-"))))
        time.sleep(1)
        failures = cl.total("wsrep_local_cert_failures") - before
        aborts = cl.total("wsrep_local_bf_aborts") - bf
        tables = conflict_tables(cl, offsets)
        for p in portals:
            p.stop()
        cl.stop_nginx()
        rows.append((label, layout, r.get("ok_rps", "?"), r.get("p99_ms", "?"),
                     r.get("errors", "?"), failures, aborts, dict(tables.most_common(4))))
        print("    RESULT %-7s %-9s submissions/s %s p99 %s ms refused %s cert_failures %d "
              "bf_aborts %d conflicts by table %s" % rows[-1], flush=True)
    return rows


def run():
    cl = Cluster("bench")
    try:
        cl.bootstrap()
        for n in (1, 2, 3):
            cl.sql(n, "SET GLOBAL wsrep_log_conflicts = ON")
        old = os.environ.get("CLUSTERBENCH_OLD_BIN")
        if old:
            measure(cl, os.environ.get("CLUSTERBENCH_OLD_LABEL", "before"), old,
                    os.environ.get("CLUSTERBENCH_OLD_MIGRATIONS",
                                   os.path.join(ROOT, "migrations")))
        if not os.environ.get("CLUSTERBENCH_OLD_ONLY"):
            measure(cl, "after", PORTAL_BIN, os.path.join(ROOT, "migrations"))
        say("wrk output in %s" % TMP)
    finally:
        cl.stop()
