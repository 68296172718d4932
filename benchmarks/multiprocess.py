"""`make bench-scale`: two Careloop servers and two workers on one PostgreSQL (issue #16 item 5).

    .venv/bin/python -m benchmarks.multiprocess [--quick] [--results DIR]

See benchmarks/harness/multiprocess.py for the method. Exit status 0: measured and no duplicate
or lost alert delivery; 1: measured, and the delivery check failed; 2: the harness could not run.
"""

from __future__ import annotations

import signal
import sys

from benchmarks.harness.multiprocess import main


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through the context managers that stop the servers


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    sys.exit(main(sys.argv[1:]))
