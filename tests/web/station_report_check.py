#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# The station's HTML report in Debian's headless Chromium: rendered to a screenshot (the
# failing chip's red must be on it, next to the passing chips' green) and to its DOM (the
# per-chip map present, the failing chip marked at its position), and, with --at, where
# chips are drawn: each CHAIN:POSITION=COLUMN,ROW chip's box as Chromium lays it out
# (over its DevTools protocol) must sit at that cell of the grid the chain's chips make
# (columns and rows counted in the grid's pitch from the chain's first column and row). Run by tests/integration/test_station_hbctl.cpp:
#   station_report_check.py REPORT.html SHOT.png [--at C:P=COL,ROW ...] C:P [C:P...]
# the C:P arguments being the chips that must be marked failed.
# Exit 0 when it holds, 1 with a message when not, 77 when there is no chromium.
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

FAIL_RGB = (0xE5, 0x39, 0x35)
PASS_RGB = (0x43, 0xA0, 0x47)


def chromium(args, profile):
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        print("HB-SKIPPED: no chromium (scripts/install-deps installs it)")
        sys.exit(77)
    return subprocess.run(
        [exe, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-extensions", "--disable-background-networking",
         "--user-data-dir=" + profile, "--window-size=1200,900"] + args,
        capture_output=True, text=True, timeout=120)


def png_pixels(path):
    """Yields (r, g, b) of an 8-bit RGB or RGBA PNG, the one kind Chromium writes."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit("not a PNG: " + path)
    pos, idat, width, height, channels = 8, b"", 0, 0, 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            if depth != 8 or colour not in (2, 6):
                raise SystemExit("unexpected PNG format: depth %d colour %d" % (depth, colour))
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
    raw = zlib.decompress(idat)
    stride = width * channels
    prev = bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if f == 1:
                line[i] = (line[i] + a) & 0xFF
            elif f == 2:
                line[i] = (line[i] + b) & 0xFF
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pr) & 0xFF
        for x in range(0, stride, channels):
            yield tuple(line[x:x + 3])
        prev = line


def chip_boxes(url, chains):
    """Every chip's laid-out box {position, x, y, width, height, verdict}, per chain,
    as Chromium lays the page out."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    try:
        from browser_test import Browser  # the dashboard test's DevTools client
    except ImportError as e:
        print("HB-SKIPPED: %s (scripts/install-deps installs python3-websocket)" % e)
        sys.exit(77)
    boxes = {}
    with tempfile.TemporaryDirectory() as profile:
        browser = Browser(profile)
        try:
            browser.open(url)
            for chain in chains:
                boxes[chain] = browser.js(
                    "Array.from(document.querySelectorAll('svg.chainmap[data-chain=\"%s\"] "
                    "rect.chip')).map(r => { const b = r.getBoundingClientRect(); "
                    "return {position: r.dataset.position, x: b.x, y: b.y, width: b.width, "
                    "height: b.height, verdict: r.dataset.verdict}; })" % chain)
        finally:
            browser.close()
    return boxes


def pitch(values):
    """The grid's pitch: the smallest step between distinct coordinates."""
    distinct = sorted(set(round(v, 1) for v in values))
    steps = [b - a for a, b in zip(distinct, distinct[1:])]
    return min(steps) if steps else None


def check_positions(url, at):
    """Each chip in its cell: its column and row counted in grid pitches from the chain's
    leftmost and topmost chips (column 0 and row 0 hold a chip in every layout here)."""
    chains = sorted(set(chain for chain, _ in at))
    drawn = chip_boxes(url, chains)
    found = {}
    for chain in chains:
        chips = {b["position"]: b for b in drawn[chain]}
        xs, ys = [b["x"] for b in chips.values()], [b["y"] for b in chips.values()]
        px, py = pitch(xs), pitch(ys)
        for (c, pos), (col, row) in at.items():
            if c != chain:
                continue
            box = chips.get(pos)
            if box is None:
                raise SystemExit("chain %s chip %s is not in the rendered map" % (c, pos))
            got_col = (box["x"] - min(xs)) / px if px else 0.0
            got_row = (box["y"] - min(ys)) / py if py else 0.0
            if abs(got_col - col) > 0.05 or abs(got_row - row) > 0.05:
                raise SystemExit("chain %s chip %s is drawn at column %.2f row %.2f, not "
                                 "column %d row %d" % (c, pos, got_col, got_row, col, row))
            if px and box["width"] > px or py and box["height"] > py:
                raise SystemExit("chain %s chip %s is wider than its cell" % (c, pos))
            found[(c, pos)] = box
    return found


def main():
    args, at = sys.argv[1:], {}
    while "--at" in args:
        i = args.index("--at")
        chip, cell = args[i + 1].split("=")
        chain, pos = chip.split(":")
        col, row = cell.split(",")
        at[(chain, pos)] = (int(col), int(row))
        del args[i:i + 2]
    html, shot, marked = args[0], args[1], args[2:]
    url = "file://" + os.path.abspath(html)
    with tempfile.TemporaryDirectory() as profile:
        r = chromium(["--screenshot=" + shot, url], profile)
        if not os.path.exists(shot):
            raise SystemExit("no screenshot: " + r.stderr[-2000:])
        dom = chromium(["--dump-dom", url], profile).stdout
    if "class=\"chainmap\"" not in dom:
        raise SystemExit("the rendered page has no per-chip map")
    for m in marked:
        chain, pos = m.split(":")
        pattern = (r'<rect class="chip fail" data-chain="%s" data-position="%s" '
                   r'data-verdict="fail"' % (chain, pos))
        if not re.search(pattern, dom):
            raise SystemExit("chain %s chip %s is not marked failed in the rendered map"
                             % (chain, pos))
    counts = {FAIL_RGB: 0, PASS_RGB: 0}
    for px in png_pixels(shot):
        if px in counts:
            counts[px] += 1
    if counts[FAIL_RGB] < 100 or counts[PASS_RGB] < 100:
        raise SystemExit("the screenshot lacks the map's colours: %d red, %d green pixels"
                         % (counts[FAIL_RGB], counts[PASS_RGB]))
    placed = ""
    if at:
        boxes = check_positions(url, at)
        for m in marked:
            key = tuple(m.split(":"))
            if key in boxes and boxes[key]["verdict"] != "fail":
                raise SystemExit("chain %s chip %s is drawn but not as failed" % key)
        placed = ", %d chips at their board cells" % len(at)
    print("report rendered: %d red and %d green pixels, %d chips marked%s"
          % (counts[FAIL_RGB], counts[PASS_RGB], len(marked), placed))


if __name__ == "__main__":
    main()
