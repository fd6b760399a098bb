"""The backup drill (scripts/backup-drill): backups proven by restoring them to a point in time.

Load (submissions with Idempotency-Keys, uploads, a utility accepting jobs) runs against a real
portal while scripts/backup takes a full and then an incremental backup; the drill notes a time
T (a whole second) while the load goes on past it, then an operator's wrong statement deletes the
permits of an application; scripts/backup ships the binary logs; the source server is stopped and
the portal's data directory moved away; scripts/restore restores the set to T onto a fresh
server and data directory. Then: every submission acknowledged before T is there exactly once and
nothing sent after T is; the deleted permits are back; the audit chain verifies; every material's
bytes match their hash; the certificates issued before T verify with the restored key; a portal
started on the restored data serves them. Prints the recovery point and the restore seconds.

Environment: that of drillkit (scripts/backup-drill sets it; the private MariaDB runs with a
binary log).
"""
import base64
import datetime
import hashlib
import http.client
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import traceback
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import drillkit  # noqa: E402
from drillkit import (Client, DrillFailure, Process, check, fresh_database, max_id,  # noqa: E402
                      pdf, prepare_applicant, say, sql, sql_one, submission)

TITLE = "full + incremental backup under load, restore to a point in time"
DB = "drill_backup"
WRITERS = 2


def utc(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def blake(data):
    return hashlib.blake2b(data, digest_size=32).hexdigest()


class Load:
    """Writers submit applications and upload documents; a utility accepts water jobs."""

    def __init__(self, port, applicant, water, site, mats):
        self.port, self.site, self.mats = port, site, mats
        self.applicant, self.water = applicant, water
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.subs = []      # (key, sent, answered, status, application id)
        self.uploads = []   # (hash, sent, answered, status, material id)
        self.accepts = []   # (job id, sent, answered, status)
        self.jobs = []      # water job ids of acknowledged submissions, to accept
        self.errors = []
        self.threads = [threading.Thread(target=self.writer, args=(i,)) for i in range(WRITERS)]
        self.threads.append(threading.Thread(target=self.acceptor))

    def writer(self, i):
        c = Client(self.port, self.applicant.token, timeout=20)
        n = 0
        while not self.stop.is_set():
            n += 1
            key = str(uuid.uuid4())
            body = submission(self.site, self.mats, i * 100000 + n)
            t0 = time.time()
            try:
                s, j, _ = c.call("POST", "/v1/applications", body, {"Idempotency-Key": key})
            except OSError as e:
                s, j = None, {"error": str(e)}
            t1 = time.time()
            with self.lock:
                self.subs.append((key, t0, t1, s, j.get("id") if s == 201 else None))
                if s == 201:
                    self.jobs += [x["id"] for x in j.get("jobs", [])
                                  if x.get("utility_kind") == "water"]
                elif len(self.errors) < 5:
                    self.errors.append(("submit %s %s" % (s, j))[:300])
            if n % 3 == 0:
                data = pdf("drill upload %s" % uuid.uuid4().hex)
                t0 = time.time()
                try:
                    s, j, _ = c.call("POST", "/v1/materials?type=site_plan&filename=u%d.pdf" % n,
                                     raw=data, ctype="application/pdf")
                except OSError as e:
                    s, j = None, {"error": str(e)}
                with self.lock:
                    self.uploads.append((blake(data), t0, time.time(), s,
                                         j.get("id") if s in (200, 201) else None))
            time.sleep(0.02)

    def acceptor(self):
        c = Client(self.port, self.water.token, timeout=20)
        while not self.stop.is_set():
            with self.lock:
                job = self.jobs.pop(0) if self.jobs else None
            if job is None:
                time.sleep(0.05)
                continue
            t0 = time.time()
            try:
                s, j, _ = c.call("POST", "/v1/jobs/%d/transitions" % job, {"action": "accept"})
            except OSError:
                s = None
            with self.lock:
                self.accepts.append((job, t0, time.time(), s))
                if s not in (200, 201) and len(self.errors) < 5:
                    self.errors.append(("accept %s %s" % (s, j))[:300])
            time.sleep(0.05)

    def start(self):
        for t in self.threads:
            t.start()

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join()


def script(name, *args):
    """Runs scripts/NAME; its seconds. A failure fails the drill with the script's output."""
    t0 = time.time()
    r = subprocess.run([os.path.join(drillkit.ROOT, "scripts", name)] + list(args),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in r.stdout.strip().splitlines():
        say("  | " + line)
    if r.returncode:
        raise DrillFailure("scripts/%s %s exited %d" % (name, args[0], r.returncode))
    return time.time() - t0


def refused(name, *args):
    """Runs scripts/NAME expecting a refusal: (exited non-zero, its output)."""
    r = subprocess.run([os.path.join(drillkit.ROOT, "scripts", name)] + list(args),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return r.returncode != 0, r.stdout.strip()


def refusals(setdir, passfile, tmp):
    """A damaged set is refused: by verify, by the next backup run, by a restore; so are a
    wrong passphrase and a time the set cannot reach."""
    bad = os.path.join(tmp, "backup-set-damaged")
    shutil.copytree(setdir, bad)
    with open(os.path.join(bad, "MANIFEST.json")) as f:
        m = json.load(f)
    log = os.path.join(bad, "binlog", m["binlogs"]["files"][-1])
    with open(log, "r+b") as f:  # one byte changed in place, the size kept
        f.seek(200)
        b = f.read(1)
        f.seek(200)
        f.write(bytes([b[0] ^ 0xFF]))
    no, out = refused("backup", "verify", bad)
    check(no and "checksum mismatch binlog/" in out, "verify refuses a set with one byte of a "
          "binary log changed")
    inc = [s for s in m["steps"] if s["kind"] == "incremental"][-1]["dir"]
    victim = sorted(f for f in m["files"] if f.startswith(inc + "/"))[0]
    with open(os.path.join(bad, victim), "r+b") as f:
        f.truncate(max(0, os.path.getsize(os.path.join(bad, victim)) - 1))
    before = open(os.path.join(bad, "MANIFEST.json"), "rb").read()
    no, out = refused("backup", "incremental", bad, "--socket", os.path.join(tmp, "nowhere"),
                      "--passphrase-file", passfile)
    check(no and "does not verify, nothing added" in out
          and open(os.path.join(bad, "MANIFEST.json"), "rb").read() == before,
          "a backup run refuses to add to a damaged set and leaves its manifest as it was")
    target = os.path.join(tmp, "restore-refused")
    no, out = refused("restore", bad, "--datadir", os.path.join(target, "db"), "--socket",
                      os.path.join(target, "s.sock"), "--data-dir", os.path.join(target, "data"),
                      "--no-keys", "--portal", drillkit.PORTAL_BIN)
    check(no and not os.path.exists(os.path.join(target, "db")),
          "a restore refuses the damaged set before touching anything")
    wrong = os.path.join(tmp, "wrong-passphrase")
    with open(wrong, "w") as f:
        f.write("not the passphrase\n")
    no, out = refused("restore", setdir, "--datadir", os.path.join(target, "db"), "--socket",
                      os.path.join(target, "s.sock"), "--data-dir", os.path.join(target, "data"),
                      "--passphrase-file", wrong, "--portal", drillkit.PORTAL_BIN)
    check(no and "does not open" in out and not os.path.exists(os.path.join(target, "db")),
          "a restore with a wrong passphrase stops before it starts")
    full = datetime.datetime.strptime(m["steps"][0]["started"], "%Y-%m-%dT%H:%M:%S.%fZ")
    no, out = refused("restore", setdir, "--datadir", os.path.join(target, "db"), "--socket",
                      os.path.join(target, "s.sock"), "--data-dir", os.path.join(target, "data"),
                      "--no-keys", "--portal", drillkit.PORTAL_BIN, "--to",
                      (full - datetime.timedelta(seconds=1)).strftime("%Y-%m-%d %H:%M:%S"))
    check(no and "before the set's full backup" in out,
          "a restore to a time before the full backup is refused")
    shutil.rmtree(bad)


def rsql(sock, query):
    out = subprocess.run(["mariadb", "--no-defaults", "--socket=" + sock, "-uroot", "-N", "-B",
                          "-e", query, DB], check=True, stdout=subprocess.PIPE,
                         text=True).stdout
    return [[None if v == "NULL" else v for v in line.split("\t")] for line in out.splitlines()]


def ed25519_verify(public_key, message, signature, tmp):
    """OpenSSL 3 checks an Ed25519 signature (docs/CERTIFICATES.md, verifying offline)."""
    paths = {k: os.path.join(tmp, k) for k in ("pub.der", "doc.bin", "sig.bin")}
    with open(paths["pub.der"], "wb") as f:
        f.write(bytes.fromhex("302a300506032b6570032100") + public_key)
    with open(paths["doc.bin"], "wb") as f:
        f.write(message)
    with open(paths["sig.bin"], "wb") as f:
        f.write(signature)
    r = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-keyform", "DER", "-inkey",
                        paths["pub.der"], "-rawin", "-in", paths["doc.bin"], "-sigfile",
                        paths["sig.bin"]], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return r.returncode == 0


def get_raw(port, token, path):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        c.request("GET", path, headers={"Authorization": "Bearer " + token})
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def run():
    tmp = drillkit.TMP
    env = fresh_database(DB)
    data_dir = env["PORTAL_DATA_DIR"]
    since = max_id(DB, "applications")
    portal = Process(env, name="backup-src").start()
    applicant = Client(portal.port).login("applicant")
    water = Client(portal.port).login("water")
    site, mats = prepare_applicant(applicant)
    setdir = os.path.join(tmp, "backup-set")
    passfile = os.path.join(tmp, "backup-passphrase")
    with open(passfile, "w") as f:
        f.write("drill passphrase " + uuid.uuid4().hex + "\n")
    common = ["--socket", drillkit.SOCK, "--data-dir", data_dir, "--passphrase-file", passfile]

    load = Load(portal.port, applicant, water, site, mats)
    load.start()
    try:
        time.sleep(1.5)
        full_s = script("backup", "full", setdir, *common)
        time.sleep(1.0)
        inc_s = script("backup", "incremental", setdir, *common)
        time.sleep(1.0)
        T = int(time.time()) + 2  # a whole second: the binary log stamps events in seconds
        while time.time() < T + 2.0:
            time.sleep(0.05)
    finally:
        load.finish()
    check(not load.errors, "the load ran without errors%s" % (
        "" if not load.errors else ": " + "; ".join(load.errors)))
    say("backups under load: full %.1f s, incremental %.1f s; T = %s UTC"
        % (full_s, inc_s, utc(T)))
    before = [s for s in load.subs if s[3] == 201 and s[2] < T]
    after = [s for s in load.subs if s[1] >= T]
    flight = [s for s in load.subs if s[1] < T <= s[2] or (s[1] < T and s[3] != 201)]
    say("%d submissions acknowledged before T, %d sent after T, %d in flight across T"
        % (len(before), len(after), len(flight)))
    check(len(before) >= 20 and len(after) >= 5, "the load ran on both sides of T")
    ups_before = [u for u in load.uploads if u[3] in (200, 201) and u[2] < T]
    ups_after = [u for u in load.uploads if u[1] >= T]
    acc_before = [a for a in load.accepts if a[3] in (200, 201) and a[2] < T]
    acc_after = [a for a in load.accepts if a[1] >= T]
    say("%d uploads and %d job acceptances acknowledged before T; %d and %d sent after T"
        % (len(ups_before), len(acc_before), len(ups_after), len(acc_after)))

    # What the source held before the mistake: the certificates issued before T, one victim.
    # (those of the demo data and of submissions acknowledged before T: one in flight across T
    # may or may not be in the restore, whatever its issued_at)
    ids = ",".join(str(s[4]) for s in before)
    which = "application_id <= %d OR application_id IN (%s)" % (since, ids)
    certs = {r[0]: r[1:] for r in sql(DB, "SELECT number, key_id, document, signature FROM "
                                          "certificates WHERE " + which)}
    victim = before[len(before) // 2][4]
    victim_permits = int(sql_one(DB, "SELECT COUNT(*) FROM permits WHERE application_id=%d"
                                 % victim))
    check(victim_permits > 0, "application %d has %d permits before the mistake"
          % (victim, victim_permits))
    portal.stop()
    sql(DB, "SET FOREIGN_KEY_CHECKS=0; DELETE FROM permits WHERE application_id=%d" % victim)
    check(int(sql_one(DB, "SELECT COUNT(*) FROM permits WHERE application_id=%d" % victim)) == 0,
          "after T an operator's wrong DELETE removed the permits of application %d" % victim)
    binlog_s = script("backup", "binlogs", setdir, *common)

    # The disaster: the server and the data directory are gone; only the set remains.
    drillkit.mariadb_stop()
    os.rename(data_dir, data_dir + ".lost")
    rdir = os.path.join(tmp, "restored")
    rsock = os.path.join(rdir, "mysqld.sock")
    report_path = os.path.join(tmp, "restore-report.json")
    t0 = time.time()
    script("restore", setdir, "--datadir", os.path.join(rdir, "db"), "--socket", rsock,
           "--data-dir", os.path.join(rdir, "data"), "--to", utc(T), "--db", DB,
           "--passphrase-file", passfile, "--portal", drillkit.PORTAL_BIN,
           "--report", report_path)
    restore_s = time.time() - t0
    with open(report_path) as f:
        report = json.load(f)

    # Submissions: before T exactly once with the acknowledged id, nothing sent after T.
    rows = rsql(rsock, "SELECT idempotency_key, COUNT(*), MIN(id) FROM applications WHERE id > %d "
                "AND idempotency_key IS NOT NULL GROUP BY idempotency_key" % since)
    have = {r[0]: (int(r[1]), int(r[2])) for r in rows}
    present = [s for s in before if have.get(s[0], (0, 0)) == (1, s[4])]
    pct = 100.0 * len(present) / len(before)
    check(len(present) == len(before), "acknowledged before T present exactly once with their "
          "ids: %d of %d (%.0f %%)" % (len(present), len(before), pct))
    late = [s for s in after if s[0] in have]
    check(not late, "sent after T absent: %d of %d present" % (len(late), len(after)))
    in_flight_present = len([s for s in flight if s[0] in have])
    total = int(rsql(rsock, "SELECT COUNT(*) FROM applications WHERE id > %d" % since)[0][0])
    check(total == len(present) + in_flight_present,
          "no other application (%d = %d before T + %d of %d in flight)"
          % (total, len(present), in_flight_present, len(flight)))
    check(int(rsql(rsock, "SELECT COUNT(*) FROM permits WHERE application_id=%d" % victim)[0][0])
          == victim_permits, "the %d deleted permits of application %d are back"
          % (victim_permits, victim))

    # Transitions and uploads on both sides of T.
    accepted = {int(r[0]) for r in rsql(rsock, "SELECT object_id FROM transitions WHERE "
                                        "object_type='job' AND action='accept'")}
    check(all(a[0] in accepted for a in acc_before),
          "every job acceptance acknowledged before T is there (%d)" % len(acc_before))
    check(not any(a[0] in accepted for a in acc_after),
          "no acceptance sent after T is (%d)" % len(acc_after))
    hashes = {r[0] for r in rsql(rsock, "SELECT content_hash FROM materials")}
    check(all(u[0] in hashes for u in ups_before),
          "every upload acknowledged before T is there (%d)" % len(ups_before))
    check(not any(u[0] in hashes for u in ups_after),
          "no upload sent after T is (%d)" % len(ups_after))

    # Audit chain, materials, keys as the restore found them, and checked again here.
    # (scripts/restore fails unless `portal audit verify` exits 0)
    check(report["audit"]["verify"] and report["audit"]["heads_match"],
          "the audit chain verifies (%s; %d head(s), each the hash of its last entry)"
          % (report["audit"]["verify"], len(report["audit"]["heads"])))
    # one chain, or one per writer once audit_log has writer_id (migration 0010)
    per_writer = rsql(rsock, "SELECT COUNT(*) FROM information_schema.columns WHERE "
                      "table_schema='%s' AND table_name='audit_log' AND column_name='writer_id'"
                      % DB)[0][0] == "1"
    chain = rsql(rsock, "SELECT writer_id, seq, prev_hash, hash FROM audit_log ORDER BY "
                 "writer_id, seq" if per_writer else
                 "SELECT 0, id, prev_hash, hash FROM audit_log ORDER BY id")
    broken = [chain[i][1] for i in range(1, len(chain))
              if chain[i][0] == chain[i - 1][0] and chain[i][2] != chain[i - 1][3]]
    check(not broken, "every audit entry links to the one before it (%d entries)" % len(chain))
    mat_dir = os.path.join(rdir, "data", "materials")
    bad = []
    for h in hashes:
        p = os.path.join(mat_dir, h[:2], h[2:4], h)
        if not os.path.exists(p) or blake(open(p, "rb").read()) != h:
            bad.append(h)
    check(not bad and len(hashes) == report["materials"]["present_and_valid"],
          "every material's bytes match their hash (%d)" % len(hashes))

    # Certificates issued before T verify with the restored key.
    with open(os.path.join(rdir, "data", "signing.key")) as f:
        sk = base64.b64decode(f.read().split()[1])
    pk = sk[32:]
    key_id = "ed25519-" + hashlib.blake2b(pk, digest_size=32).hexdigest()[:16]
    rcerts = {r[0]: r[1:] for r in rsql(rsock, "SELECT number, key_id, document, signature FROM "
                                              "certificates WHERE " + which)}
    check(rcerts == certs and len(certs) > 0,
          "the %d certificates issued before T are restored unchanged" % len(certs))
    unverified = [n for n, (kid, doc, sig) in rcerts.items()
                  if kid != key_id or not ed25519_verify(pk, doc.encode(), base64.b64decode(sig),
                                                         tmp)]
    check(not unverified, "each verifies with the restored signing key %s" % key_id)

    # The portal serves from the restored data.
    renv = drillkit.portal_env(DB, os.path.join(rdir, "data"))
    renv["PORTAL_DB"] = "mariadb://root@localhost/%s?socket=%s" % (DB, rsock)
    served = Process(renv, name="backup-restored").start()
    rc = Client(served.port).login("applicant")
    s, j, _ = rc.get("/v1/applications/%d" % before[0][4])
    check(s == 200 and j.get("id") == before[0][4], "the restored portal serves application %d"
          % before[0][4])
    number = sorted(certs)[-1]
    s, j, _ = Client(served.port).get("/v1/public/certificates/" + number)
    check(s == 200 and j["signature"]["key_id"] == key_id,
          "and certificate %s (%s)" % (number, j.get("status") if j else s))
    mid = int(rsql(rsock, "SELECT id FROM materials WHERE content_hash='%s'"
                   % ups_before[-1][0])[0][0]) if ups_before else None
    if mid:
        s, body = get_raw(served.port, rc.token, "/v1/materials/%d/content" % mid)
        check(s == 200 and blake(body) == ups_before[-1][0],
              "and the bytes of material %d, matching their hash" % mid)
    s, j, _ = rc.call("POST", "/v1/applications", submission(site, mats, 999999),
                      {"Idempotency-Key": str(uuid.uuid4())})
    check(s == 201, "and accepts a new submission (%s)" % ((j or {}).get("reference") or s))
    served.stop()
    refusals(setdir, passfile, tmp)

    say("recovery point %s UTC (last transaction replayed %s); restore %.1f s (prepare %.1f s); "
        "backups: full %.1f s, incremental %.1f s, binary logs %.1f s"
        % (utc(T), report["last_transaction_replayed"], restore_s, report["prepare_seconds"],
           full_s, inc_s, binlog_s))
    print("RESULT acknowledged_before_T_present=%.0f%% after_T_absent=%d/%d audit_chain=valid "
          "materials=valid(%d) certificates=valid(%d) recovery_point='%s UTC' "
          "restore_seconds=%.1f" % (pct, len(after) - len(late), len(after), len(hashes),
                                    len(certs), utc(T), restore_s), flush=True)


def main():
    t0 = time.time()
    print("--- drill backup: " + TITLE, flush=True)
    try:
        run()
        print("--- drill backup PASSED in %.1f s" % (time.time() - t0), flush=True)
        return 0
    except Exception as e:  # a failed check or anything unexpected fails the drill
        if not isinstance(e, DrillFailure):
            traceback.print_exc()
        print("    FAILED: %s" % e, flush=True)
        print("--- drill backup FAILED in %.1f s" % (time.time() - t0), flush=True)
        return 1
    finally:
        drillkit.stop_all()


if __name__ == "__main__":
    sys.exit(main())
