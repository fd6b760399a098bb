"""Drill 6: three Galera nodes, two portals writing to different nodes behind one nginx;
submissions and transitions through both while one node is killed (kill -9) and rejoins by IST,
then one portal is killed and restarted. Afterwards every acknowledged submission exists exactly
once on every node, the audit chain verifies on every node, every outbox event reached its
(deduplicating) receiver, and the clients saw no answer but success or 503 with Retry-After.
Needs root (the rsync state transfer); scripts/drill installs galera-4, rsync and nginx."""
import os
import subprocess
import threading
import time
import uuid

from drillkit import (DEMO_PASSWORD, PORTAL_BIN, TMP, Client, Process, Receiver, check,
                      free_port, pdf, portal_env, prepare_applicant, say, set_endpoint,
                      submission)
from galera import Cluster

TITLE = "three Galera nodes and two portals: a node and a portal killed under load"
DB = "portal"
WHO = ["water", "network", "road"]
CLIENTS = 8
# seconds: load before the node is killed, until it restarts; after it is Synced again until
# the portal is killed, until it restarts; load after that
BEFORE_NODE, NODE_DOWN, BEFORE_PORTAL, PORTAL_DOWN, AFTER = 6, 8, 4, 4, 8


class Load:
    """Clients submitting (and the water company accepting) through the one address, each
    retrying a 503 with its Idempotency-Key after the Retry-After it was given."""

    def __init__(self, port, applicant, water, site, mats):
        self.port, self.applicant, self.water = port, applicant, water
        self.site, self.mats = site, mats
        self.lock = threading.Lock()
        self.acked = {}          # idempotency key -> application id
        self.successes = []      # times of acknowledged submissions
        self.unavailable = 0     # 503s with Retry-After
        self.violations = []     # anything else a client saw
        self.jobs = []           # water jobs to accept
        self.accepted = 0
        self.stop = threading.Event()
        self.t0 = time.time()

    def call(self, client, method, path, body, headers=None):
        """Until an answer that is not a 503: (status, json). Records what is not allowed."""
        while True:
            try:
                s, j, h = client.call(method, path, body, headers)
            except OSError as e:
                with self.lock:
                    self.violations.append("no answer: %s" % e)
                time.sleep(0.5)
                continue
            if s != 503:
                return s, j
            ra = h.get("Retry-After")
            with self.lock:
                if ra is None:
                    self.violations.append("503 without Retry-After: %s" % j)
                self.unavailable += 1
            time.sleep(min(float(ra or 1), 1.0))

    def submitter(self, k):
        c = Client(self.port, self.applicant.token, timeout=40)
        n = 0
        while not self.stop.is_set():
            key = str(uuid.uuid4())
            s, j = self.call(c, "POST", "/v1/applications",
                             submission(self.site, self.mats, k * 1000 + n),
                             {"Idempotency-Key": key})
            n += 1
            with self.lock:
                if s in (200, 201):
                    self.acked[key] = j["id"]
                    self.successes.append(time.time())
                    self.jobs += [x["id"] for x in j.get("jobs", [])
                                  if x.get("utility_kind") == "water"]
                else:
                    self.violations.append("t=%.1f submission: %s %s"
                                           % (time.time() - self.t0, s, j))

    def acceptor(self):
        c = Client(self.port, self.water.token, timeout=40)
        while not self.stop.is_set():
            with self.lock:
                job = self.jobs.pop(0) if self.jobs else None
            if job is None:
                time.sleep(0.1)
                continue
            retried = self.unavailable
            s, j = self.call(c, "POST", "/v1/jobs/%s/transitions" % job, {"action": "accept"})
            with self.lock:
                if s == 200:
                    self.accepted += 1
                elif not (s == 409 and self.unavailable > retried):
                    # a 409 after a 503: the first try committed before its answer was lost
                    self.violations.append("t=%.1f accept: %s %s" % (time.time() - self.t0, s, j))

    def longest_gap(self, since, until):
        """The longest stretch in [since, until] without an acknowledged submission."""
        with self.lock:
            t = sorted(x for x in self.successes if since <= x <= until)
        edges = [since] + t + [until]
        return max(b - a for a, b in zip(edges, edges[1:]))


def verify_on(cl, n):
    env = dict(os.environ, PORTAL_DB=cl.url(n, DB, only=True))
    r = subprocess.run([PORTAL_BIN, "audit", "verify"], env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    return r.returncode == 0, r.stdout.strip().splitlines()[-1:] if r.stdout else ""


def run():
    cl = Cluster()
    try:
        drill(cl)
    finally:
        cl.stop()
        keep = os.environ.get("DRILL_CLUSTER_LOGS")
        if keep:  # the portals' and the nodes' logs, which go with the temporary directory
            os.makedirs(keep, exist_ok=True)
            subprocess.run("cp %s/portal-*.log %s/; for n in 1 2 3; do cp %s/node$n/mariadbd.err "
                           "%s/node$n.err; done" % (TMP, keep, cl.dir, keep), shell=True)


def drill(cl):
    t_start = time.time()
    cl.bootstrap()
    shared = os.path.join(TMP, "cluster-keys")
    os.makedirs(shared, exist_ok=True)
    envs = []
    for i in (1, 2):
        data = os.path.join(TMP, "cluster-portal%d" % i)
        os.makedirs(data, exist_ok=True)
        env = portal_env(DB, data, PORTAL_SWEEP_SECONDS=2, PORTAL_DISPATCH_POLL_MS=100,
                         PORTAL_RETRY_SCHEDULE="0,1,1,1,1,2,2,2,2,2",
                         PORTAL_TRUSTED_PROXIES="127.0.0.1", PORTAL_PER_IP_CONNECTIONS=0,
                         PORTAL_SIGNING_KEY=os.path.join(shared, "signing.key"),
                         PORTAL_SECRETS_KEY=os.path.join(shared, "secrets.key"))
        env["PORTAL_DB"] = cl.url(i, DB)  # portal i prefers node i
        envs.append(env)
    for cmd in (["migrate"], ["seed-demo", "--no-history"]):
        subprocess.run([PORTAL_BIN] + cmd, env=envs[0], check=True, stdout=subprocess.DEVNULL)
    portals = [Process(envs[0], name="portal-1").start(), Process(envs[1], name="portal-2").start()]
    lb = free_port()
    cl.start_nginx(lb, [p.port for p in portals])
    say("portal 1 on node 1, portal 2 on node 2, nginx on %d" % lb)

    # what the portals share: a document, the sign-in throttle
    a = Client(portals[0].port).login("applicant")
    s, j, _ = a.call("POST", "/v1/materials?type=site_plan&filename=p.pdf", raw=pdf("shared"),
                     ctype="application/pdf")
    b = Client(portals[1].port, a.token)
    s2, _, _ = b.call("GET", "/v1/materials/%s/content" % j["id"])
    check(s == 201 and s2 == 200, "a document uploaded through portal 1 is read through portal 2")
    for i in range(5):
        Client(portals[i % 2].port).call("POST", "/v1/sessions", {
            "email": "planning@demo.test", "password": "wrong-password-%d" % i})
    s, _, _ = Client(portals[1].port).call("POST", "/v1/sessions", {
        "email": "planning@demo.test", "password": DEMO_PASSWORD})
    check(s == 429, "five failed sign-ins split over both portals block the account (%d)" % s)

    receivers = {}
    orgs = []
    for who in WHO:
        r = Receiver()
        r.secret = set_endpoint(lb, who, int(cl.sql_one(1, "SELECT org_id FROM users WHERE "
                                                        "email='%s@demo.test'" % who, DB)),
                                r.url())
        receivers[who] = r
        orgs.append(cl.sql_one(1, "SELECT org_id FROM users WHERE email='%s@demo.test'" % who,
                               DB))
    base_event = int(cl.sql_one(1, "SELECT COALESCE(MAX(id), 0) FROM outbox", DB))
    base_app = int(cl.sql_one(1, "SELECT COALESCE(MAX(id), 0) FROM applications", DB))

    entry = Client(lb)
    applicant = entry.login("applicant")
    water = entry.login("water")
    site, mats = prepare_applicant(applicant)
    load = Load(lb, applicant, water, site, mats)
    threads = [threading.Thread(target=load.submitter, args=(k,)) for k in range(CLIENTS)]
    threads.append(threading.Thread(target=load.acceptor))
    t0 = load.t0 = time.time()
    for t in threads:
        t.start()

    node_log = os.path.join(cl.dir, "node2", "mariadbd.err")
    time.sleep(BEFORE_NODE)
    t_node = time.time()
    cl.kill9(2)
    say("t=%.0f s: node 2 killed (kill -9) under load" % (t_node - t0))
    time.sleep(NODE_DOWN)
    t_restart = time.time()
    log_from = os.path.getsize(node_log)
    cl.start(2)
    cl.wait_synced(2)
    rejoin = time.time() - t_restart
    with open(node_log, errors="replace") as f:
        f.seek(log_from)
        rejoin_log = f.read()
    # IST: the node knew its position (recovered after the crash) and got only what it missed
    by_ist = ("Prepared IST receiver for" in rejoin_log
              and "Local state: 00000000-0000-0000-0000-000000000000:-1" not in rejoin_log)
    say("t=%.0f s: node 2 restarted, Synced again %.1f s later" % (t_restart - t0, rejoin))
    time.sleep(BEFORE_PORTAL)
    t_portal = time.time()
    portals[0].kill9()
    say("t=%.0f s: portal 1 killed (kill -9)" % (t_portal - t0))
    time.sleep(PORTAL_DOWN)
    portals[0].start()
    say("t=%.0f s: portal 1 restarted" % (time.time() - t0))
    time.sleep(AFTER)
    load.stop.set()
    for t in threads:
        t.join()
    t_end = time.time()
    gap_node = load.longest_gap(t_node, t_restart)
    gap_portal = load.longest_gap(t_portal, t_end)
    say("%d submissions acknowledged, %d water jobs accepted, %d 503s retried, in %.0f s"
        % (len(load.acked), load.accepted, load.unavailable, t_end - t0))
    check(by_ist, "node 2 rejoined by IST (its position recovered, only the missed writes sent)")

    # every event delivered; receivers deduplicate by webhook-id
    def pending():
        return int(cl.sql_one(1, "SELECT COUNT(*) FROM outbox WHERE id > %d AND org_id IN (%s) "
                              "AND status <> 'delivered'" % (base_event, ",".join(orgs)), DB))
    deadline = time.time() + 90
    while pending() and time.time() < deadline:
        time.sleep(0.5)
    events = {"evt_" + r[0] for r in cl.sql(1, "SELECT id FROM outbox WHERE id > %d AND org_id "
                                                "IN (%s)" % (base_event, ",".join(orgs)), DB)}
    seen, deliveries = set(), 0
    for r in receivers.values():
        with r.lock:
            seen |= set(r.acked)
            deliveries += sum(r.acked.values())
    check(pending() == 0 and events <= seen,
          "every one of the %d events reached its receiver (%d deliveries, %d repeats removed "
          "by deduplication)" % (len(events), deliveries, deliveries - len(seen & events)))

    # on every node: each acknowledged submission exactly once, the chain whole
    lost = dup = 0
    counts = []
    for n in (1, 2, 3):
        rows = cl.sql(n, "SELECT idempotency_key, COUNT(*), MIN(id) FROM applications WHERE "
                      "id > %d AND idempotency_key IS NOT NULL GROUP BY idempotency_key"
                      % base_app, DB)
        per = {r[0]: (int(r[1]), int(r[2])) for r in rows}
        gone = [(k, i) for k, i in load.acked.items() if k not in per or per[k][1] != int(i)]
        lost += len(gone)
        dup += sum(1 for c, _ in per.values() if c != 1)
        for k, i in gone[:5]:  # enough to say what happened when it does
            say("node %d: acknowledged %s as application %s, found %s; its rows: %s"
                % (n, k, i, per.get(k), cl.sql(n, "SELECT id, reference, submitted_at FROM "
                                               "applications WHERE id = %d" % int(i), DB)))
        counts.append(int(cl.sql_one(n, "SELECT COUNT(*) FROM applications WHERE id > %d"
                                     % base_app, DB)))
    check(lost == 0 and dup == 0 and len(set(counts)) == 1,
          "on each of the 3 nodes every acknowledged submission exists exactly once "
          "(%s applications each)" % counts[0])
    valid = 0
    for n in (1, 2, 3):
        ok, out = verify_on(cl, n)
        valid += ok
        if not ok:
            say("node %d: %s" % (n, out))
    writers = cl.sql_one(1, "SELECT COUNT(*) FROM audit_writers", DB)
    check(valid == 3, "`portal audit verify` passes on every node (%s writer chains)" % writers)
    holders = cl.sql(1, "SELECT holder FROM leases WHERE name = 'sweeper'", DB)
    check(len(holders) == 1, "one sweeper holds the lease: %s" % (holders[0][0] if holders
                                                                   else "none"))
    for p in portals:
        p.stop()
    for r in receivers.values():
        r.close()
    failures = cl.total("wsrep_local_cert_failures")
    print("    RESULT acknowledged %d, lost %d, duplicates %d, chain valid on %d nodes, "
          "recovery seconds: node loss %.1f, portal loss %.1f, node rejoin (IST) %.1f; "
          "certification failures %d; drill %.0f s"
          % (len(load.acked), lost, dup, valid, gap_node, gap_portal, rejoin, failures,
             time.time() - t_start), flush=True)
    # last, so that the figures above are printed whatever the clients saw
    check(not load.violations, "clients saw only successes and 503s with Retry-After%s"
          % ("" if not load.violations else ": " + str(load.violations[:5])))
