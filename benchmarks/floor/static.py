"""A static HTTP responder for the load generator's sanity gate (`make bench`, issue #16).

It answers every request with the same small 200 response, written in one send on a keep-alive
connection (TCP_NODELAY is on: asyncio and uvloop set it on TCP sockets), with no framework and
no parsing beyond finding the end of each request's headers. What wrk reaches against it, with
the threads and connections of the timed runs, is what the load generator and loopback can do
on this machine at that moment: the floor must stay well below it for its figures to measure the
floor rather than wrk.

    python -m benchmarks.floor.static [PORT]    # 0 (default): any free port

It prints `listening on PORT` once it accepts connections. GET requests only (no bodies).
"""

from __future__ import annotations

import asyncio
import socket
import sys
from typing import cast

import uvloop

RESPONSE = (
    b"HTTP/1.1 200 OK\r\n"
    b"Content-Type: text/plain\r\n"
    b"Content-Length: 2\r\n"
    b"Connection: keep-alive\r\n"
    b"\r\n"
    b"ok"
)
END_OF_HEADERS = b"\r\n\r\n"


class StaticResponder(asyncio.Protocol):
    def __init__(self) -> None:
        self._transport: asyncio.Transport | None = None
        self._pending = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        self._pending += data
        complete = self._pending.count(END_OF_HEADERS)
        if complete and self._transport is not None:
            self._pending = self._pending.rsplit(END_OF_HEADERS, 1)[1]
            self._transport.write(RESPONSE * complete)  # pipelined requests: one send for all


async def serve(port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(StaticResponder, "127.0.0.1", port, backlog=1024)
    bound = server.sockets[0].getsockname()[1]
    print(f"listening on {bound}", flush=True)
    async with server:
        await server.serve_forever()


def main(argv: list[str]) -> None:
    port = int(argv[0]) if argv else 0
    uvloop.run(serve(port))


if __name__ == "__main__":
    main(sys.argv[1:])
