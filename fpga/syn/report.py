#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Prints the iCE40 figures of a build: LUTs, flip-flops, BRAM, logic cells, Fmax,
nonces per clock and MH/s = Fmax x nonces per clock (docs/fpga.md)."""
import argparse
import os
import re

CLOCKS_PER_NONCE = 130  # sha256d_engine: 4 load + 61 + 4 park/fetch + 1 IV + 61 (a lane)
HX8K_LC, HX8K_BRAM = 7680, 32


def yosys_cells(path):
    cells = {}
    text = open(path).read()
    # the last "Number of cells" block is the final design
    blocks = text.split("Number of cells:")
    for line in blocks[-1].splitlines()[1:]:
        m = re.match(r"\s+(\S+)\s+(\d+)$", line)
        if not m:
            if cells:
                break
            continue
        cells[m.group(1)] = int(m.group(2))
    return cells


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lanes", type=int, default=0)
    ap.add_argument("--yosys")
    ap.add_argument("--nextpnr")
    ap.add_argument("--bin")
    ap.add_argument("--unrolled", action="store_true")
    a = ap.parse_args()
    c = yosys_cells(a.yosys)
    luts = c.get("SB_LUT4", 0)
    ffs = sum(v for k, v in c.items() if k.startswith("SB_DFF"))
    bram = c.get("SB_RAM40_4K", 0)
    carry = c.get("SB_CARRY", 0)
    print("yosys synth_ice40: %d LUT4, %d flip-flops, %d SB_CARRY, %d BRAM (SB_RAM40_4K)" % (luts, ffs, carry, bram))
    if a.unrolled:
        print("fully unrolled SHA-256d: 1 nonce per clock (tb_sha256d_unrolled); %.1f x the HX8K's %d logic cells"
              % (max(luts, ffs) / HX8K_LC, HX8K_LC))
        return
    npc = a.lanes / CLOCKS_PER_NONCE
    print("lanes %d: %d/%d = %.4f nonces per clock" % (a.lanes, a.lanes, CLOCKS_PER_NONCE, npc))
    if a.nextpnr:
        log = open(a.nextpnr).read()
        for kind in ("ICESTORM_LC", "ICESTORM_RAM", "SB_IO", "SB_GB"):
            m = re.findall(r"%s:\s+(\d+)/\s*(\d+)\s+(\d+)%%" % kind, log)
            if m:
                u, t, p = m[-1]
                print("nextpnr %-13s %5s / %5s  %s%%" % (kind, u, t, p))
        f = re.findall(r"Max frequency for clock\s+'([^']+)':\s+([\d.]+) MHz", log)
        if f:
            fmax = float(f[-1][1])
            print("Fmax (seed 1): %.2f MHz" % fmax)
            print("hash rate: %.2f MHz x %.4f nonces/clock = %.3f MH/s" % (fmax, npc, fmax * npc))
        else:
            print("Fmax: not found in the nextpnr log")
    if a.bin and os.path.exists(a.bin):
        print("bitstream: %s (%d bytes)" % (a.bin, os.path.getsize(a.bin)))


if __name__ == "__main__":
    main()
