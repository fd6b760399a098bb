"""Runs the fault drills named on the command line (all by default), each against real
processes; prints what each checked and exits non-zero when any failed."""
import importlib
import os
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import drillkit  # noqa: E402

DRILLS = ["crash", "dbdown", "receiver", "diskfull", "scaleout"]
# Run only when named (`scripts/drill cluster`): a three-node Galera cluster, as root.
ON_REQUEST = ["cluster"]


def main(names):
    failed = []
    for name in names or DRILLS:
        mod = importlib.import_module("drill_" + name)
        print("--- drill %s: %s" % (name, mod.TITLE), flush=True)
        t0 = time.time()
        try:
            mod.run()
            print("--- drill %s PASSED in %.1f s" % (name, time.time() - t0), flush=True)
        except Exception as e:  # a failed check or anything unexpected fails the drill
            if not isinstance(e, drillkit.DrillFailure):
                traceback.print_exc()
            print("    FAILED: %s" % e, flush=True)
            print("--- drill %s FAILED in %.1f s" % (name, time.time() - t0), flush=True)
            failed.append(name)
        finally:
            drillkit.stop_all()
    if failed:
        print("drills failed: " + " ".join(failed))
        return 1
    print("all drills passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
