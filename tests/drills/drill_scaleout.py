"""Drill 5: two portals and two standalone dispatchers share one database."""
import threading
import uuid

from drillkit import (Client, DrillFailure, Process, Receiver, check, fresh_database, org_id_of,
                      prepare_applicant, say, set_endpoint, sql, submission, wait_until)

TITLE = "two portals and two dispatchers on one database"
WHO = ["water", "network", "road", "greening"]
PER_THREAD = 15


def run():
    db = "drill_scaleout"
    env = fresh_database(db)
    # Small batches and short polls make the eight claimers collide as often as possible.
    env.update({"PORTAL_DISPATCH_THREADS": "2", "PORTAL_DISPATCH_POLL_MS": "50",
                "PORTAL_DISPATCH_BATCH": "3", "PORTAL_RETRY_SCHEDULE": "0,1,1,1,1"})
    portals = [Process(env, name="portal-a").start(), Process(env, name="portal-b").start()]
    dispatchers = [Process(env, ("dispatch",), name="dispatch-%d" % i).start() for i in (1, 2)]
    receivers = {}
    for who in WHO:
        r = Receiver()
        r.secret = set_endpoint(portals[0].port, who, org_id_of(db, who), r.url())
        receivers[who] = r
    orgs = ",".join(str(org_id_of(db, w)) for w in WHO)
    base = int(sql(db, "SELECT COALESCE(MAX(id), 0) FROM outbox")[0][0])

    applicant = Client(portals[0].port).login("applicant")
    site, mats = prepare_applicant(applicant)
    failures = []

    def submitter(port, start):
        c = Client(port, applicant.token)
        for i in range(PER_THREAD):
            s, j, _ = c.call("POST", "/v1/applications", submission(site, mats, start + i),
                             {"Idempotency-Key": str(uuid.uuid4())})
            if s != 201:
                failures.append((s, j))

    threads = [threading.Thread(target=submitter, args=(portals[k % 2].port, k * PER_THREAD))
               for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check(not failures, "%d submissions through both portals accepted" % (4 * PER_THREAD))

    def pending():
        return int(sql(db, "SELECT COUNT(*) FROM outbox WHERE id > %d AND org_id IN (%s) AND "
                       "status <> 'delivered'" % (base, orgs))[0][0])
    if not wait_until(lambda: pending() == 0, 60):
        raise DrillFailure("%d events still undelivered after 60 s" % pending())
    events = sql(db, "SELECT o.id, o.attempts, (SELECT COUNT(*) FROM delivery_attempts d "
                 "WHERE d.event_id = o.id) FROM outbox o WHERE o.id > %d AND o.org_id IN (%s)"
                 % (base, orgs))
    check(len(events) >= 3 * 4 * PER_THREAD, "every one of the %d events delivered"
          % len(events))
    twice = [e for e in events if e[1] != "1" or e[2] != "1"]
    check(not twice, "each was claimed and attempted exactly once (attempts = 1, one recorded "
          "attempt)%s" % ("" if not twice else ": " + str(twice[:5])))
    seen = {}
    for r in receivers.values():
        with r.lock:
            for wid, n in r.acked.items():
                seen[wid] = seen.get(wid, 0) + n
    check(set(seen) == {"evt_" + e[0] for e in events} and all(n == 1 for n in seen.values()),
          "the receivers saw each event id exactly once, with no deduplication needed")
    check(all(r.bad_signatures == 0 for r in receivers.values()), "all signatures valid")
    by = {}
    for p in portals + dispatchers:
        by[p.name] = p.log_text().count("cannot record")
    say("log lines about a failed record, per process: %s" % by)
    for p in portals + dispatchers:
        p.stop()
    check(all(p.proc.returncode == 0 for p in portals + dispatchers),
          "all four processes stopped cleanly on SIGTERM")
    for r in receivers.values():
        r.close()
