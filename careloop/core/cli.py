"""The `careloop` console script: every operator command, each honouring DATABASE_URL.

Commands are Django management commands living in their domains; a dash in the command name is
accepted for an underscore (`careloop otp-code` runs `otp_code`).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # One BLAS thread per process: the crisis-text model runs beside web and worker processes.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["careloop", *args])


if __name__ == "__main__":
    main()
