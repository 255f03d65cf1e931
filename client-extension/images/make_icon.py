"""Writes icon.png (128x128 RGBA): a push pin over a requirements list, drawn with plain Python.

usage: python3 client-extension/images/make_icon.py   (or: npm run icon)
"""

import math
import struct
import zlib
from pathlib import Path

SIZE = 128
SS = 4  # supersampling per axis, for smooth edges

BG = (31, 97, 141)  # deep blue
PAPER = (245, 247, 250)
LINE = (150, 165, 180)
PIN = (230, 76, 60)  # red pin head
NEEDLE = (90, 90, 95)


def rounded_rect(x, y, x0, y0, x1, y1, r):
    cx = min(max(x, x0 + r), x1 - r)
    cy = min(max(y, y0 + r), y1 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r and x0 <= x <= x1 and y0 <= y <= y1


def segment_distance(px, py, ax, ay, bx, by):
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def color_at(x, y):
    """The colour at a point (in 0..128 coordinates), or None for transparent."""
    # pin head and needle, on top
    if math.hypot(x - 88, y - 38) <= 17:
        shade = 1.0 - 0.25 * max(0.0, (x - 88 + y - 38) / 24)
        return tuple(int(c * shade) for c in PIN)
    if segment_distance(x, y, 88, 38, 62, 70) <= 3.2:
        return NEEDLE
    # the sheet with text lines
    if rounded_rect(x, y, 30, 26, 90, 108, 6):
        for i, width in enumerate((40, 30, 44, 26, 36)):
            ly = 44 + i * 12
            if 38 <= x <= 38 + width and abs(y - ly) <= 2.2:
                return LINE
        return PAPER
    # background: a rounded square
    if rounded_rect(x, y, 2, 2, 126, 126, 22):
        return BG
    return None


def render():
    rows = []
    for j in range(SIZE):
        row = bytearray([0])  # filter: none
        for i in range(SIZE):
            acc = [0, 0, 0, 0]
            for sj in range(SS):
                for si in range(SS):
                    c = color_at(i + (si + 0.5) / SS, j + (sj + 0.5) / SS)
                    if c is not None:
                        acc[0] += c[0]
                        acc[1] += c[1]
                        acc[2] += c[2]
                        acc[3] += 255
            n = SS * SS
            alpha = acc[3] // n
            if alpha:
                covered = acc[3] / 255
                row += bytes((int(acc[0] / covered), int(acc[1] / covered), int(acc[2] / covered), alpha))
            else:
                row += bytes(4)
        rows.append(bytes(row))
    return b"".join(rows)


def png(raw):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


if __name__ == "__main__":
    out = Path(__file__).with_name("icon.png")
    out.write_bytes(png(render()))
    print(f"wrote {out}")
