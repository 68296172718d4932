"""A channel sender for the two-worker measurement (multiprocess.py): instead of sending, it
appends one line per message to the file named by BENCH_SEND_LOG (idempotency key, process id,
channel), with one O_APPEND write, so lines from several worker processes never interleave.
Counting a key's lines shows whether any message was handed to a channel twice."""

from __future__ import annotations

import os

from careloop.notifications.ports import OutboundMessage


class FileSender:
    def __init__(self) -> None:
        self._path = os.environ["BENCH_SEND_LOG"]

    def send(self, message: OutboundMessage) -> None:
        line = f"{message.idempotency_key}\t{os.getpid()}\t{message.channel}\n".encode()
        descriptor = os.open(self._path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(descriptor, line)
        finally:
            os.close(descriptor)
