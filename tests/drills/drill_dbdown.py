"""Drill 2: MariaDB stops for ten seconds under load, then comes back."""
import threading
import time
import uuid

from drillkit import (max_id, Client, DrillFailure, Process, check, check_applications, fresh_database,
                      mariadb_start, mariadb_stop, prepare_applicant, say, submission)

TITLE = "MariaDB down for 10 s under load"
OUTAGE_SECONDS = 10


def run():
    db = "drill_dbdown"
    env = fresh_database(db)
    since = max_id(db, "applications")
    portal = Process(env, name="dbdown").start()
    applicant = Client(portal.port).login("applicant")
    site, mats = prepare_applicant(applicant)

    acked = {}
    pending = {}          # key -> body, not (yet) acknowledged
    outage_answers = []   # (status, seconds) answered while the database was down
    phase = {"down": False, "stop": False}
    lock = threading.Lock()
    n = [0]

    def writer():
        c = Client(portal.port, applicant.token, timeout=15)
        key = None
        while not phase["stop"]:
            if key is None:  # like a real client: a new key only once the last one is answered
                with lock:
                    n[0] += 1
                    key, body = str(uuid.uuid4()), submission(site, mats, n[0])
                    pending[key] = body
            t0 = time.time()
            try:
                s, j, _ = c.call("POST", "/v1/applications", body, {"Idempotency-Key": key})
            except OSError:
                s, j = None, None
            dt = time.time() - t0
            with lock:
                if s == 201:
                    acked[key] = j["id"]
                    del pending[key]
                    key = None
                if phase["down"]:
                    outage_answers.append((s, dt))
            if s != 201:
                time.sleep(0.05)

    def reader():
        c = Client(portal.port, applicant.token, timeout=15)
        while not phase["stop"]:
            t0 = time.time()
            try:
                s, _, _ = c.get("/v1/applications?limit=5")
            except OSError:
                s = None
            with lock:
                if phase["down"]:
                    outage_answers.append((s, time.time() - t0))
            time.sleep(0.02)

    threads = [threading.Thread(target=f) for f in (writer, writer, reader)]
    for t in threads:
        t.start()
    time.sleep(2)
    before = len(acked)
    check(before > 0, "under load before the outage (%d submissions acknowledged in 2 s)"
          % before)

    mariadb_stop()
    phase["down"] = True
    t_down = time.time()
    say("MariaDB stopped")
    ready = []
    while time.time() - t_down < OUTAGE_SECONDS:
        t0 = time.time()
        s, j, _ = Client(portal.port, timeout=15).get("/readyz")
        ready.append((s, time.time() - t0, (j or {}).get("status")))
        time.sleep(0.5)
    phase["down"] = False
    with lock:
        answers = list(outage_answers)
    check(portal.alive(), "the portal is still running")
    statuses = sorted({a[0] for a in answers}, key=str)
    say("during the outage the load got %d answers with statuses %s" % (len(answers), statuses))
    check(answers and all(a[0] == 503 for a in answers[len(answers) // 4:]),
          "requests during the outage are answered 503 (after the first in-flight ones)")
    slowest = max(a[1] for a in answers)
    check(slowest < 3.0, "every request during the outage was answered within 3 s (slowest "
          "%.2f s)" % slowest)
    check(all(r[0] == 503 and r[2] == "unavailable" for r in ready[1:]),
          "/readyz says 503 unavailable throughout (%d probes, slowest %.2f s)"
          % (len(ready), max(r[1] for r in ready)))

    mariadb_start()
    t_up = time.time()
    say("MariaDB started again")
    recovered = None
    while time.time() - t_up < 15:
        s, _, _ = Client(portal.port).get("/readyz")
        if s == 200:
            recovered = time.time() - t_up
            break
        time.sleep(0.1)
    # Load keeps going after recovery; the first acknowledged write after restart proves it.
    with lock:
        mark = len(acked)
    t_write = None
    while time.time() - t_up < 15:
        if len(acked) > mark:
            t_write = time.time() - t_up
            break
        time.sleep(0.05)
    phase["stop"] = True
    for t in threads:
        t.join()
    if recovered is None or t_write is None:
        raise DrillFailure("the portal did not serve again within 15 s of the database's return")
    check(t_write < 5.0, "/readyz ready after %.1f s and writes acknowledged again %.1f s after "
          "the database returned, without a restart" % (recovered, t_write))

    # The client retries what was never acknowledged; nothing acknowledged may be missing.
    c = Client(portal.port, applicant.token)
    for key, body in list(pending.items()):
        s, j, _ = c.call("POST", "/v1/applications", body, {"Idempotency-Key": key})
        if s not in (200, 201):
            raise DrillFailure("retry after recovery answered %s %s" % (s, j))
        acked[key] = j["id"]
    say("%d unacknowledged submissions retried after recovery" % len(pending))
    check_applications(db, acked, since)
    check(portal.alive(), "the same portal process served throughout")
    portal.stop()
