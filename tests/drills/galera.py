"""A local three-node Galera cluster for the cluster drill and its measurements, run through the
functions of scripts/cluster (sourced with --lib), plus nginx in front of the portals.

Ports come from DRILL_GALERA_MYSQL_BASE (default 3511) and DRILL_GALERA_BASE (default 4767),
away from scripts/cluster's own defaults, so a drill may run beside a local cluster.
"""
import os
import socket
import subprocess
import time

from drillkit import ROOT, TMP, DrillFailure, say

MYSQL_BASE = int(os.environ.get("DRILL_GALERA_MYSQL_BASE", "3511"))
GALERA_BASE = int(os.environ.get("DRILL_GALERA_BASE", "4767"))
USER, PASSWORD = "portal", "portal-local-only"


class Cluster:
    def __init__(self, name="galera"):
        self.dir = os.path.join(TMP, name)
        os.makedirs(self.dir, exist_ok=True)
        os.chmod(self.dir, 0o755)
        os.chmod(TMP, 0o755)  # the rsync daemon runs as nobody: it must reach the datadirs
        self.nginx = None

    def sh(self, script, check=True):
        """Runs bash with scripts/cluster's functions defined for this cluster."""
        cmd = ('source "%s/scripts/cluster" --lib; CLUSTER_DIR="%s"; CLUSTER_MYSQL_BASE=%d; '
               'CLUSTER_GALERA_BASE=%d; %s' % (ROOT, self.dir, MYSQL_BASE, GALERA_BASE, script))
        r = subprocess.run(["bash", "-c", cmd], stdout=subprocess.PIPE, text=True)
        if check and r.returncode != 0:
            raise DrillFailure("cluster: `%s` failed (status %d)" % (script, r.returncode))
        return r.stdout

    def bootstrap(self):
        t0 = time.time()
        self.sh("galera_bootstrap")
        say("three Galera nodes up and Synced in %.0f s" % (time.time() - t0))

    def port(self, n):
        return MYSQL_BASE + n - 1

    def sock(self, n):
        return os.path.join(self.dir, "node%d.sock" % n)

    def url(self, first, db, only=False):
        """PORTAL_DB preferring node `first`, then the others (only that node with only=True)."""
        order = [first] if only else [(first - 1 + i) % 3 + 1 for i in range(3)]
        return "mariadb://%s:%s@%s/%s" % (USER, PASSWORD, ",".join(
            "127.0.0.1:%d" % self.port(n) for n in order), db)

    def sql(self, n, query, db=None):
        out = subprocess.run(["mariadb", "--no-defaults", "--socket=" + self.sock(n), "-uroot",
                              "-N", "-B", "-e", query] + ([db] if db else []), check=True,
                             stdout=subprocess.PIPE, text=True).stdout
        return [[None if v == "NULL" else v for v in line.split("\t")]
                for line in out.splitlines()]

    def sql_one(self, n, query, db=None):
        rows = self.sql(n, query, db)
        return rows[0][0] if rows else None

    def status(self, n, var):
        try:
            return self.sql(n, "SHOW STATUS LIKE '%s'" % var)[0][1]
        except (subprocess.CalledProcessError, IndexError):
            return None

    def total(self, var):
        """A status counter summed over the three nodes."""
        return sum(int(self.status(n, var) or 0) for n in (1, 2, 3))

    def kill9(self, n):
        self.sh("galera_kill %d" % n)

    def start(self, n):
        self.sh("galera_start %d" % n)

    def wait_synced(self, n, seconds=180):
        self.sh("galera_wait_synced %d %d" % (n, seconds))

    def stop(self):
        self.stop_nginx()
        for n in (3, 2, 1):
            self.sh("galera_stop %d" % n, check=False)

    # ---- nginx in front of the portals --------------------------------------------------

    def start_nginx(self, listen_port, portal_ports):
        conf = os.path.join(self.dir, "nginx.conf")
        self.sh('nginx_conf "%s" 127.0.0.1:%d %s' % (conf, listen_port,
                                                     " ".join(str(p) for p in portal_ports)))
        log = open(os.path.join(self.dir, "nginx.out"), "ab")
        self.nginx = subprocess.Popen(["nginx", "-c", conf, "-p", self.dir], stdout=log,
                                      stderr=log)
        log.close()
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", listen_port), 0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise DrillFailure("nginx did not listen on %d" % listen_port)

    def stop_nginx(self):
        if self.nginx and self.nginx.poll() is None:
            self.nginx.terminate()
            self.nginx.wait()
        self.nginx = None
