"""Shared pieces of the fault drills: the private MariaDB, real `portal` processes, an HTTP
client, webhook receivers and the consistency checks. Standard library only.

Environment (set by scripts/drill): PORTAL_BIN, DRILL_ROOT (the checkout), DRILL_TMP (a
scratch directory), DRILL_SOCK and DRILL_DBDIR (the private MariaDB that scripts/lib.sh
started; a drill may stop and restart it through lib.sh).
"""
import base64
import datetime
import hashlib
import hmac
import http.client
import http.server
import json
import os
import socket
import subprocess
import threading
import time
import uuid

ROOT = os.environ.get("DRILL_ROOT", os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
PORTAL_BIN = os.environ.get("PORTAL_BIN", os.path.join(ROOT, "build", "release", "portal"))
TMP = os.environ.get("DRILL_TMP", "/tmp")
SOCK = os.environ.get("DRILL_SOCK", "")
DBDIR = os.environ.get("DRILL_DBDIR", "")
DEMO_PASSWORD = "demo-password-1"


class DrillFailure(Exception):
    pass


def say(msg):
    print("    " + msg, flush=True)


def check(cond, what):
    """One verified statement: printed when it holds, a DrillFailure when it does not."""
    if not cond:
        raise DrillFailure(what)
    print("    ok: " + what, flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---- the private MariaDB ------------------------------------------------------------------

def lib_sh(script):
    """Runs bash with scripts/lib.sh sourced; returns its stdout."""
    cmd = 'source "%s/scripts/lib.sh"; %s' % (ROOT, script)
    return subprocess.run(["bash", "-c", cmd], check=True, stdout=subprocess.PIPE,
                          text=True).stdout


def mariadb_pid():
    with open(os.path.join(DBDIR, "mariadbd.pid")) as f:
        return int(f.read().strip())


def mariadb_stop():
    """Stops the server (a clean shutdown, as an operator or a crash-restart would) and waits."""
    pid = mariadb_pid()
    os.kill(pid, 15)
    for _ in range(600):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    raise DrillFailure("MariaDB did not stop within 30 s")


def mariadb_start():
    """Starts the server again with scripts/lib.sh's mariadb_start (waits until it answers)."""
    lib_sh('mariadb_start "%s" "%s"' % (DBDIR, SOCK))


def sql(db, query):
    """Rows of a query as lists of strings (NULL as None), through the mariadb client."""
    out = subprocess.run(["mariadb", "--no-defaults", "--socket=" + SOCK, "-uroot", "-N", "-B",
                          "-e", query] + ([db] if db else []), check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    rows = []
    for line in out.splitlines():
        rows.append([None if v == "NULL" else v for v in line.split("\t")])
    return rows


def sql_one(db, query):
    rows = sql(db, query)
    return rows[0][0] if rows else None


def fresh_database(name):
    """A new database, migrated and seeded with the demo data by the real binary."""
    sql(None, "DROP DATABASE IF EXISTS %s; CREATE DATABASE %s CHARACTER SET utf8mb4"
        % (name, name))
    env = portal_env(name, os.path.join(TMP, name + "-data"))
    os.makedirs(env["PORTAL_DATA_DIR"], exist_ok=True)
    for cmd in (["migrate"], ["seed-demo"]):
        subprocess.run([PORTAL_BIN] + cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    return env


def portal_env(db, data_dir, **extra):
    env = dict(os.environ)
    env.update({
        "PORTAL_DB": "mariadb://root@localhost/%s?socket=%s" % (db, SOCK),
        "PORTAL_DATA_DIR": data_dir,
        "PORTAL_MIGRATIONS": os.path.join(ROOT, "migrations"),
        "PORTAL_ALLOW_PRIVATE_WEBHOOKS": "1",
        "PORTAL_THREADS": "4",
        "PORTAL_RATE_PUBLIC": "100000",
        "PORTAL_RATE_LOGIN": "100000",
    })
    env.update({k: str(v) for k, v in extra.items()})
    return env


# ---- portal processes ---------------------------------------------------------------------

RUNNING = []  # every Process started, so a failed drill leaves nothing behind


def stop_all():
    for p in RUNNING:
        if p.alive():
            p.proc.kill()
            p.proc.wait()
    del RUNNING[:]


class Process:
    """A real `portal serve` or `portal dispatch`, its stderr in a log file."""

    def __init__(self, env, args=("serve",), name="portal"):
        self.env = dict(env)
        self.args = list(args)
        self.name = name
        self.port = None
        self.proc = None
        self.log_path = os.path.join(TMP, "%s-%s.log" % (name, uuid.uuid4().hex[:6]))

    def start(self, port=None, preexec=None):
        if self.args[0] == "serve":
            self.port = port or self.port or free_port()
            self.env["PORTAL_LISTEN"] = "127.0.0.1:%d" % self.port
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([PORTAL_BIN] + self.args, env=self.env, stdout=log,
                                     stderr=log, preexec_fn=preexec)
        log.close()
        RUNNING.append(self)
        if self.args[0] == "serve":
            deadline = time.time() + 15
            while time.time() < deadline:
                if self.proc.poll() is not None:
                    raise DrillFailure("%s exited at start (status %s); log %s"
                                       % (self.name, self.proc.returncode, self.log_path))
                try:
                    if Client(self.port).get("/healthz")[0] == 200:
                        return self
                except OSError:
                    pass
                time.sleep(0.05)
            raise DrillFailure("%s did not answer /healthz within 15 s" % self.name)
        return self

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill9(self):
        self.proc.kill()
        self.proc.wait()

    def stop(self):
        if self.alive():
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise DrillFailure("%s did not stop within 20 s of SIGTERM" % self.name)

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")


# ---- the HTTP client ----------------------------------------------------------------------

class Client:
    def __init__(self, port, token=None, timeout=10):
        self.port = port
        self.token = token
        self.timeout = timeout

    def call(self, method, path, body=None, headers=None, raw=None, ctype=None):
        """(status, parsed JSON or None, headers). Raises OSError when there is no answer."""
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        h = dict(headers or {})
        if self.token:
            h["Authorization"] = "Bearer " + self.token
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        elif raw is not None:
            data = raw
            h["Content-Type"] = ctype
        try:
            c.request(method, path, body=data, headers=h)
            r = c.getresponse()
            b = r.read()
            try:
                j = json.loads(b)
            except ValueError:
                j = None
            return r.status, j, dict(r.getheaders())
        except (http.client.HTTPException, ValueError) as e:
            raise OSError(str(e))
        finally:
            c.close()

    def get(self, path):
        return self.call("GET", path)

    def login(self, who):
        s, j, _ = self.call("POST", "/v1/sessions",
                            {"email": who + "@demo.test", "password": DEMO_PASSWORD})
        if s != 201 and s != 200:
            raise DrillFailure("login %s: %s %s" % (who, s, j))
        return Client(self.port, j["token"], self.timeout)


def pdf(tag):
    return b"%PDF-1.4\n% " + tag.encode() + b"\n%%EOF\n"


MATERIAL_TYPES = ["business_licence", "site_plan", "excavation_plan", "pipeline_drawing",
                  "land_use_certificate", "traffic_plan", "load_calculation", "tree_survey"]


def prepare_applicant(client):
    """Uploads one of each material and registers a site; returns (site id, material refs)."""
    mats = []
    for t in MATERIAL_TYPES:
        s, j, _ = client.call("POST", "/v1/materials?type=%s&filename=%s.pdf" % (t, t),
                              raw=pdf(t + uuid.uuid4().hex), ctype="application/pdf")
        if s not in (200, 201):
            raise DrillFailure("upload %s: %s %s" % (t, s, j))
        mats.append({"material_id": j["id"]})
    s, j, _ = client.call("POST", "/v1/sites", {
        "name": "Drill block", "address": "Nanhou Street, Gulou", "district": "350102",
        "geometry": {"type": "Point", "coordinates": [119.2914, 26.0826]}, "plot_ref": "PLOT-D"})
    if s != 201:
        raise DrillFailure("site: %s %s" % (s, j))
    # four carriers serve Gulou: the network job names the demo's own (network@demo.test)
    global CARRIER
    s, p, _ = client.call("GET", "/v1/public/providers?lng=119.2914&lat=26.0826&kind=network")
    if s != 200:
        raise DrillFailure("providers: %s %s" % (s, p))
    for kind in p["kinds"]:
        for org in kind["providers"]:
            if org["organisation"] == "Fuzhou Radio & TV Network (demo)":
                CARRIER = org["organisation_id"]
    return j["id"], mats


CARRIER = None


def submission(site, mats, n=0):
    """Water + network with one short low-risk dig: one job each, a fast-tracked dig permit.

    The dig is 10 m of Nanhou Street (南后街, a branch road in the demo's low-risk zone
    LRZ-GL-0001), at one of 20 places 24 m apart, in one of 10 windows that do not meet: two
    submissions share a trench only when n is the same modulo 200.
    """
    today = datetime.date.today()
    k = n % 20
    start = today + datetime.timedelta(days=1 + 4 * ((n // 20) % 10))
    lat = 26.0803 + k * 0.00022

    def on_road(y):
        return [round(119.2921 - (y - 26.081) * 0.0001 / 0.0015, 7), round(y, 7)]
    body = {
        "site_id": site, "commitment": True, "customer_class": "commercial",
        "utilities": {"water": {"dn": 100, "use": "commercial", "meters": 1},
                      "network": {"bandwidth_mbps": 100, "ports": 2}},
        "works": {"excavations": [{
            "utility": "water",
            "geometry": {"type": "LineString", "coordinates": [on_road(lat), on_road(lat + 0.00009)]},
            "width_m": 1,
            "start_date": str(start), "end_date": str(start + datetime.timedelta(days=3))}]},
        "materials": mats,
    }
    if CARRIER:
        body["providers"] = {"network": CARRIER}
    return body


def max_id(db, table):
    return int(sql_one(db, "SELECT COALESCE(MAX(id), 0) FROM %s" % table))


def check_applications(db, keys_to_ids, since, org_id=None):
    """
    The consistency promise for submitted applications: each idempotency key has exactly one
    application, its id is the one acknowledged, and every application has its jobs, permits,
    audit entry and outbox events. Only applications after id `since` (the demo data's
    own come before) are the drill's.
    """
    org_id = org_id or org_id_of(db, "applicant")
    rows = sql(db, "SELECT idempotency_key, COUNT(*), MIN(id) FROM applications "
               "WHERE org_id=%d AND id > %d AND idempotency_key IS NOT NULL "
               "GROUP BY idempotency_key" % (org_id, since))
    per_key = {r[0]: (int(r[1]), int(r[2])) for r in rows}
    dup = [k for k, (n, _) in per_key.items() if n != 1]
    check(not dup, "no idempotency key has more than one application (%d keys)" % len(per_key))
    missing = [k for k in keys_to_ids if k not in per_key]
    check(not missing, "every acknowledged application exists (%d acknowledged)"
          % len(keys_to_ids))
    wrong = [k for k, i in keys_to_ids.items() if per_key[k][1] != i]
    check(not wrong, "each acknowledged id is the stored one")
    total = int(sql_one(db, "SELECT COUNT(*) FROM applications WHERE org_id=%d AND id > %d"
                       % (org_id, since)))
    check(total == len(per_key), "no application without its key (%d in all)" % total)
    lacking = sql(db, """
        SELECT a.id,
          (SELECT COUNT(*) FROM jobs j WHERE j.application_id=a.id),
          (SELECT COUNT(*) FROM permits p WHERE p.application_id=a.id),
          (SELECT COUNT(*) FROM audit_log l WHERE l.object_type='application'
             AND l.object_id=a.reference AND l.action='application.submit'),
          (SELECT COUNT(*) FROM outbox o WHERE o.application_id=a.id)
        FROM applications a WHERE a.org_id=%d AND a.id > %d""" % (org_id, since))
    bad = [r for r in lacking if int(r[1]) != 2 or int(r[2]) < 1 or int(r[3]) != 1
           or int(r[4]) < 3]
    check(not bad, "every application has 2 jobs, its permit, 1 audit entry and its outbox "
          "events%s" % ("" if not bad else ": " + str(bad[:5])))
    # one chain per writer (a process): each entry links to the one before in its own chain
    chain = sql(db, "SELECT id, writer_id, seq, prev_hash, hash FROM audit_log "
                "ORDER BY writer_id, seq")
    broken = [chain[i][0] for i in range(1, len(chain)) if chain[i][1] == chain[i - 1][1]
              and (chain[i][3] != chain[i - 1][4] or int(chain[i][2]) != int(chain[i - 1][2]) + 1)]
    check(not broken, "the audit chains link every entry to the one before (%d entries, %d "
          "writers)" % (len(chain), len({r[1] for r in chain})))


# ---- webhook receivers --------------------------------------------------------------------

def verify_signature(secret, headers, body):
    """Standard Webhooks v1: HMAC-SHA256 over id.timestamp.body with the whsec_ key."""
    key = base64.b64decode(secret[len("whsec_"):])
    msg = ("%s.%s." % (headers.get("webhook-id"), headers.get("webhook-timestamp"))).encode() + body
    want = base64.b64encode(hmac.new(key, msg, hashlib.sha256).digest()).decode()
    sigs = (headers.get("webhook-signature") or "").split()
    return any(s == "v1," + want for s in sigs)


class Receiver:
    """
    A local webhook receiver. mode: "ok" answers 204; "error" answers 500; "slow" answers 204
    after `slow_seconds`; "timeout" answers after `stall_seconds` (longer than the portal's
    timeout); "hang" never answers until the mode changes; "refuse" closes the listening socket
    so connections are refused. Records every request and every id it acknowledged.
    """

    def __init__(self, secret=None):
        self.port = free_port()
        self.secret = secret
        self.mode = "ok"
        self.slow_seconds = 1.0
        self.stall_seconds = 5.0
        self.lock = threading.Lock()
        self.requests = []      # (time, id, mode)
        self.acked = {}         # id -> times acknowledged with 2xx
        self.bad_signatures = 0
        self.changed = threading.Event()
        self.server = None
        self.thread = None
        self.listen()

    def listen(self):
        recv = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n)
                wid = self.headers.get("webhook-id")
                mode = recv.mode
                with recv.lock:
                    recv.requests.append((time.time(), wid, mode))
                    if recv.secret and not verify_signature(recv.secret, self.headers, body):
                        recv.bad_signatures += 1
                if mode == "hang":
                    while recv.mode == "hang":
                        recv.changed.wait(0.2)
                    self.close_connection = True
                    return
                if mode == "timeout":
                    time.sleep(recv.stall_seconds)
                if mode == "slow":
                    time.sleep(recv.slow_seconds)
                status = 500 if mode == "error" else 204
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    return
                # A timed-out request was still processed here: the retry is a repeat to dedupe.
                if status == 204:
                    with recv.lock:
                        recv.acked[wid] = recv.acked.get(wid, 0) + 1

        class Server(http.server.ThreadingHTTPServer):
            allow_reuse_address = True
            daemon_threads = True
            block_on_close = False

        self.server = Server(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def set_mode(self, mode):
        if mode == "refuse" and self.server:
            self.mode = mode
            self.server.shutdown()
            self.server.server_close()
            self.server = None
        elif mode != "refuse" and not self.server:
            self.mode = mode
            self.listen()
        else:
            self.mode = mode
        self.changed.set()
        self.changed.clear()

    def url(self):
        return "http://127.0.0.1:%d/hook" % self.port

    def close(self):
        self.set_mode("ok")
        self.server.shutdown()
        self.server.server_close()


def set_endpoint(port, who, org_id, url):
    """Signs in as the organisation's demo admin and points its endpoint at url; the secret."""
    c = Client(port).login(who)
    s, j, _ = c.call("PUT", "/v1/organisations/%d/endpoint" % org_id, {"url": url})
    if s not in (200, 201):
        raise DrillFailure("endpoint for %s: %s %s" % (who, s, j))
    return j.get("secret")


def org_id_of(db, who):
    return int(sql_one(db, "SELECT org_id FROM users WHERE email='%s@demo.test'" % who))


def wait_until(pred, timeout, step=0.2):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(step)
    return pred()
