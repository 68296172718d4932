"""Draw Careloop's app icons (a white loop on the brand blue) as PNG files, with no image library.

Run from the repository root: `python tools/make_icons.py`. It writes careloop/core/static/careloop/
icons/icon-192.png, icon-512.png (purpose "any") and icon-maskable-512.png (purpose "maskable": the
loop kept inside the central 80 % circle that any mask shape leaves visible). The files are
committed; run this again only to change the design.
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

BRAND = (0x0B, 0x53, 0x94)
WHITE = (0xFF, 0xFF, 0xFF)
OUT = Path(__file__).resolve().parents[1] / "careloop" / "core" / "static" / "careloop" / "icons"


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def png(width: int, height: int, rows: list[bytes]) -> bytes:
    raw = b"".join(b"\x00" + row for row in rows)  # filter type 0 on every row
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, 9))
        + _chunk(b"IEND", b"")
    )


def loop_icon(size: int, *, outer: float, inner: float) -> bytes:
    """A ring (outer/inner radius as fractions of the size) with a small gap, anti-aliased by 4x4
    supersampling, on a full-bleed brand background."""
    centre = size / 2
    rows = []
    for y in range(size):
        row = bytearray()
        for x in range(size):
            hits = 0
            for sy in range(4):
                for sx in range(4):
                    px, py = x + (sx + 0.5) / 4 - centre, y + (sy + 0.5) / 4 - centre
                    distance = math.hypot(px, py) / size
                    angle = math.degrees(math.atan2(py, px))
                    in_gap = -20 < angle < 20 and px > 0  # the loop's opening, on the right
                    if inner <= distance <= outer and not in_gap:
                        hits += 1
            share = hits / 16
            row.extend(round(b + (w - b) * share) for b, w in zip(BRAND, WHITE, strict=True))
        rows.append(bytes(row))
    return png(size, size, rows)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "icon-192.png").write_bytes(loop_icon(192, outer=0.34, inner=0.22))
    (OUT / "icon-512.png").write_bytes(loop_icon(512, outer=0.34, inner=0.22))
    (OUT / "icon-maskable-512.png").write_bytes(loop_icon(512, outer=0.28, inner=0.18))


if __name__ == "__main__":
    main()
