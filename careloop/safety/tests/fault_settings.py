"""Settings of the processes the fault test starts: the real settings plus a short lease, so a
killed worker's messages come back within seconds rather than a minute."""

from config.settings import *  # noqa: F403

SAFETY_DELIVERY_LEASE_SECONDS = 5
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "ERROR"},
}
