"""Drill 3: a utility's receiver refuses, errs, times out, hangs and answers slowly in turn."""
import threading
import time
import uuid

from drillkit import (Client, Process, Receiver, check, fresh_database, org_id_of,
                      prepare_applicant, say, set_endpoint, sql, submission, wait_until)

TITLE = "a receiver that refuses, errs, times out, hangs, then answers slowly"
TIMEOUT = 2  # PORTAL_WEBHOOK_TIMEOUT, seconds
# (mode, seconds); events keep being created throughout
PHASES = [("refuse", 4), ("error", 3), ("timeout", 4), ("hang", 6), ("slow", 4)]


def run():
    db = "drill_receiver"
    env = fresh_database(db)
    # 31 tries a second apart (after the attempts' own time): nothing dies during a 21 s storm.
    schedule = ",".join(["0"] + ["1"] * 30)
    env.update({"PORTAL_DISPATCH_THREADS": "2", "PORTAL_WEBHOOK_TIMEOUT": str(TIMEOUT),
                "PORTAL_RETRY_SCHEDULE": schedule, "PORTAL_DISPATCH_POLL_MS": "200",
                "PORTAL_DISPATCH_LEASE": "60"})
    portal = Process(env, name="receiver").start()
    water_org, road_org = org_id_of(db, "water"), org_id_of(db, "road")
    flaky, steady = Receiver(), Receiver()
    flaky.stall_seconds = TIMEOUT + 1.5
    flaky.slow_seconds = TIMEOUT / 3.0
    flaky.secret = set_endpoint(portal.port, "water", water_org, flaky.url())
    steady.secret = set_endpoint(portal.port, "road", road_org, steady.url())

    applicant = Client(portal.port).login("applicant")
    site, mats = prepare_applicant(applicant)
    # Events from the demo data predate the endpoints; the drill is about the ones after.
    base = int(sql(db, "SELECT COALESCE(MAX(id), 0) FROM outbox")[0][0])
    stop = threading.Event()
    made = [0]

    def submitter():
        c = Client(portal.port, applicant.token)
        while not stop.is_set():
            made[0] += 1
            s, j, _ = c.call("POST", "/v1/applications", submission(site, mats, made[0]),
                             {"Idempotency-Key": str(uuid.uuid4())})
            if s != 201:
                say("submission answered %s %s" % (s, j))
            stop.wait(0.4)

    t = threading.Thread(target=submitter)
    t.start()
    for mode, secs in PHASES:
        flaky.set_mode(mode)
        say("receiver: %s for %d s" % (mode, secs))
        time.sleep(secs)
    flaky.set_mode("ok")
    t_ok = time.time()
    stop.set()
    t.join()
    say("receiver: ok; %d applications submitted during the storm" % made[0])

    def undelivered():
        return int(sql(db, "SELECT COUNT(*) FROM outbox WHERE org_id IN (%d, %d) AND status <> "
                       "'delivered' AND id > %d" % (water_org, road_org, base))[0][0])
    wait_until(lambda: undelivered() == 0, 60)
    took = time.time() - t_ok
    if undelivered():
        for r in sql(db, "SELECT id, org_id, status, attempts, next_attempt_at, last_error "
                     "FROM outbox WHERE org_id IN (%d, %d) AND status <> 'delivered' AND id > %d "
                     "LIMIT 10" % (water_org, road_org, base)):
            say("undelivered: %s" % r)
        say("now: %s" % sql(db, "SELECT UTC_TIMESTAMP(6)")[0][0])
    check(undelivered() == 0, "every event for both receivers delivered, %.1f s after the "
          "receiver recovered" % took)

    # A new event after recovery goes straight through: no thread is left stuck.
    t0 = time.time()
    s, j, _ = applicant.call("POST", "/v1/applications", submission(site, mats, 999),
                             {"Idempotency-Key": str(uuid.uuid4())})
    check(s == 201, "a submission after recovery is accepted")
    last = int(sql(db, "SELECT MAX(id) FROM outbox WHERE org_id=%d" % water_org)[0][0])
    got = wait_until(lambda: ("evt_%d" % last) in flaky.acked, 10, 0.05)
    check(got, "its event reached the receiver %.2f s later" % (time.time() - t0))

    # The sweeper keeps emitting its own events meanwhile (overruns of older permits, the
    # digest): compare what the receiver had at one moment with the events up to the newest it
    # had, both after base.
    with flaky.lock:
        acked = {e: n for e, n in flaky.acked.items() if int(e[4:]) > base}
        modes = {}
        for _, _, m in flaky.requests:
            modes[m] = modes.get(m, 0) + 1
    newest = max(int(e[4:]) for e in acked) if acked else base
    ids = {"evt_" + r[0] for r in sql(db, "SELECT id FROM outbox WHERE org_id=%d AND id > %d "
                                        "AND id <= %d" % (water_org, base, newest))}
    say("flaky receiver got %d requests by mode %s" % (sum(modes.values()), modes))
    if set(acked) != ids:  # say which, and what they were
        for e in sorted(ids - set(acked))[:5]:
            say("never received: %s %s" % (e, sql(db, "SELECT event_type, status, attempts FROM "
                                                "outbox WHERE id = %s" % e[4:])))
        for e in sorted(set(acked) - ids)[:5]:
            say("received, not among the events read: %s %s" % (e, sql(
                db, "SELECT event_type, org_id, status FROM outbox WHERE id = %s" % e[4:])))
    check(set(acked) == ids, "after deduplication by webhook-id the receiver has every one of "
          "the %d events exactly once" % len(ids))
    dups = sum(n - 1 for n in acked.values())
    say("%d deliveries were repeats of an id already processed (at least once; a timed-out "
        "attempt the receiver had processed is retried)" % dups)
    check(flaky.bad_signatures == 0 and steady.bad_signatures == 0,
          "every request carried a valid Standard Webhooks v1 signature")
    slow = sql(db, "SELECT MAX(duration_ms) FROM delivery_attempts")[0][0]
    check(int(slow) <= TIMEOUT * 1000 + 1000, "no attempt outlasted the %d s timeout by more "
          "than 1 s (longest %s ms): a hanging receiver holds a thread only that long"
          % (TIMEOUT, slow))
    dead = int(sql(db, "SELECT COUNT(*) FROM outbox WHERE status='dead' AND id > %d"
                   % base)[0][0])
    check(dead == 0, "no event died")
    lag = sql(db, "SELECT MAX(TIMESTAMPDIFF(MICROSECOND, created_at, delivered_at))/1e6 "
              "FROM outbox WHERE org_id=%d AND id > %d" % (road_org, base))[0][0]
    ids_b = {"evt_" + r[0] for r in sql(db, "SELECT id FROM outbox WHERE org_id=%d AND id > %d"
                                          % (road_org, base))}
    check(set(steady.acked) == ids_b and float(lag) < 2 * TIMEOUT + 4,
          "the steady receiver got its %d events during the storm, each within %.1f s"
          % (len(ids_b), float(lag)))
    flaky.close()
    steady.close()
    portal.stop()
