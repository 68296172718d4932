"""Settings of the processes the fault test starts: the real settings plus a short lease, so a
killed worker's messages come back within seconds rather than a minute."""

import os

from config.settings import *  # noqa: F403

SAFETY_DELIVERY_LEASE_SECONDS = 5
# The latency test measures the worker-only path too (as if the web process died after commit).
SAFETY_EAGER_DISPATCH = os.environ.get("CARELOOP_SAFETY_EAGER_DISPATCH", "1") == "1"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "ERROR"},
}
