"""Drill 1: kill -9 the portal during a burst of submissions with Idempotency-Keys."""
import threading
import time
import uuid

from drillkit import (max_id, Client, DrillFailure, Process, check, check_applications, fresh_database,
                      prepare_applicant, say, sql_one, submission)

TITLE = "kill -9 during a burst of idempotent submissions"
CLIENTS = 4
PER_CLIENT = 25


def run():
    db = "drill_crash"
    env = fresh_database(db)
    since = max_id(db, "applications")
    portal = Process(env, name="crash").start()
    applicant = Client(portal.port).login("applicant")
    site, mats = prepare_applicant(applicant)

    jobs = [(str(uuid.uuid4()), submission(site, mats, i)) for i in range(CLIENTS * PER_CLIENT)]
    acked = {}      # key -> application id
    unacked = []    # keys without an answer (or with a 5xx)
    lock = threading.Lock()
    started = threading.Event()

    def client(part):
        c = Client(portal.port, applicant.token, timeout=10)
        for key, body in part:
            try:
                s, j, _ = c.call("POST", "/v1/applications", body, {"Idempotency-Key": key})
            except OSError:
                s, j = None, None
            with lock:
                if s == 201:
                    acked[key] = j["id"]
                    started.set()
                else:
                    unacked.append(key)

    threads = [threading.Thread(target=client, args=(jobs[i::CLIENTS],))
               for i in range(CLIENTS)]
    for t in threads:
        t.start()
    started.wait(30)
    # Let the burst get going, then kill in the middle of it.
    deadline = time.time() + 20
    while len(acked) < len(jobs) // 3 and time.time() < deadline:
        time.sleep(0.01)
    portal.kill9()
    for t in threads:
        t.join()
    say("killed with SIGKILL after %d of %d acknowledged; %d unanswered"
        % (len(acked), len(jobs), len(unacked)))
    check(0 < len(acked) < len(jobs), "the kill landed in the middle of the burst")
    stored = int(sql_one(db, "SELECT COUNT(*) FROM applications WHERE id > %d" % since))
    say("%d applications were committed before the kill, %d of them never acknowledged"
        % (stored, stored - len(acked)))

    portal.start()
    c = Client(portal.port, applicant.token)
    retried = 0
    for key in unacked:
        body = dict(jobs)[key]
        s, j, _ = c.call("POST", "/v1/applications", body, {"Idempotency-Key": key})
        if s not in (200, 201):
            raise DrillFailure("retry of %s answered %s %s" % (key[:8], s, j))
        acked[key] = j["id"]
        retried += 1
    say("restarted; retried %d unacknowledged submissions, all answered" % retried)
    # Retrying something already acknowledged must give back the first result, not a new one.
    replay_ok = 0
    for key, body in jobs[:10]:
        s, j, _ = c.call("POST", "/v1/applications", body, {"Idempotency-Key": key})
        if s in (200, 201) and j["id"] == acked[key]:
            replay_ok += 1
    check(replay_ok == 10, "10 replays of acknowledged keys returned the first application")
    check_applications(db, acked, since)
    portal.stop()
