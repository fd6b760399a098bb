"""Drill 4: the data directory is full, then unwritable, while documents are uploaded."""
import hashlib
import os
import resource
import signal
import subprocess
import uuid

from drillkit import (Client, Process, check, fresh_database, say, sql_one)

TITLE = "data directory full or unwritable during an upload"


def blob_path(data_dir, content):
    h = hashlib.blake2b(content, digest_size=32).hexdigest()
    return os.path.join(data_dir, "materials", h[:2], h[2:4], h)


def leftovers(root):
    """Temporary or partial files anywhere under the materials tree."""
    found = []
    for d, _, files in os.walk(root):
        found += [os.path.join(d, f) for f in files if ".tmp." in f]
    return found


def big_pdf(size):
    head = b"%PDF-1.4\n% drill " + uuid.uuid4().hex.encode() + b"\n"
    return head + b"0" * (size - len(head) - 6) + b"%%EOF\n"


def mount(*args):
    return subprocess.run(["mount"] + list(args), stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0


def upload(client, content, tag):
    return client.call("POST", "/v1/materials?type=site_plan&filename=%s.pdf" % tag,
                       raw=content, ctype="application/pdf")


def refused_cleanly(db, data_dir, client, content, tag, words, rows_before):
    s, j, _ = upload(client, content, tag)
    msg = ((j or {}).get("error") or {}).get("message", "")
    check(s == 507 and any(w in msg for w in words),
          "%s: answered %s \"%s\"" % (tag, s, msg[:90]))
    check(data_dir not in msg, "%s: the message does not name the server's path" % tag)
    check(int(sql_one(db, "SELECT COUNT(*) FROM materials")) == rows_before,
          "%s: no material row was recorded" % tag)
    check(not os.path.exists(blob_path(data_dir, content)) and
          not leftovers(os.path.join(data_dir, "materials")),
          "%s: no file and no temporary left in the data directory" % tag)


def run():
    db = "drill_diskfull"
    env = fresh_database(db)
    data_dir = env["PORTAL_DATA_DIR"]
    mdir = os.path.join(data_dir, "materials")
    os.makedirs(mdir, exist_ok=True)
    use_mount = os.geteuid() == 0 and not os.environ.get("DRILL_NO_MOUNT") and mount("-t", "tmpfs", "-o", "size=512k,mode=0750",
                                             "tmpfs", mdir)
    preexec = None
    if not use_mount:
        # No tmpfs: a file-size limit makes every large write fail with EFBIG instead.
        def preexec():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # kept across exec: EFBIG, no kill
            resource.setrlimit(resource.RLIMIT_FSIZE, (128 * 1024, 128 * 1024))
    say("full disk simulated with %s" % ("a 512 KiB tmpfs on the materials directory"
                                         if use_mount else "RLIMIT_FSIZE of 128 KiB"))
    portal = Process(env, name="diskfull").start(preexec=preexec)
    try:
        applicant = Client(portal.port).login("applicant")
        rows = int(sql_one(db, "SELECT COUNT(*) FROM materials"))
        filler = os.path.join(mdir, "filler")
        if use_mount:
            with open(filler, "wb") as f:  # leave about 64 KiB free
                try:
                    f.write(b"\0" * (512 - 64) * 1024)
                except OSError:
                    pass
        doc = big_pdf(200 * 1024)
        refused_cleanly(db, data_dir, applicant, doc, "full", ("full", "larger"), rows)
        if use_mount:
            os.unlink(filler)
        else:
            doc = big_pdf(64 * 1024)
        s, j, _ = upload(applicant, doc, "after-space-freed")
        check(s == 201 and open(blob_path(data_dir, doc), "rb").read() == doc,
              "with space again the upload is stored whole (%s)" % s)
        rows += 1

        doc2 = big_pdf(8 * 1024)
        if use_mount:
            mount("-o", "remount,ro", mdir)
            words = ("not writable",)
        elif os.geteuid() != 0:
            os.chmod(mdir, 0o555)
            words = ("not writable",)
        else:  # root without mounts: permissions do not bind root; a file in the way does
            os.rename(mdir, mdir + ".away")
            open(mdir, "w").close()
            words = ("not a directory", "not writable")
        refused_cleanly(db, data_dir, applicant, doc2, "unwritable", words, rows)
        if use_mount:
            mount("-o", "remount,rw", mdir)
        elif os.geteuid() != 0:
            os.chmod(mdir, 0o750)
        else:
            os.unlink(mdir)
            os.rename(mdir + ".away", mdir)
        s, j, _ = upload(applicant, doc2, "after-fix")
        check(s == 201, "once writable again the same upload succeeds (%s)" % s)
        check(portal.alive() and Client(portal.port).get("/readyz")[0] == 200,
              "the portal kept running and ready throughout")
        portal.stop()
    finally:
        if use_mount:
            subprocess.run(["umount", mdir], stderr=subprocess.DEVNULL)
