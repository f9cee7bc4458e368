#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Byte streams for the chip-wrapper benches (tb/tb_chip.v reads them).

Lines: S <n> <bytes>   host sends
       E <n> <bytes>   host must receive exactly these bytes next
       Q <clocks>      host must receive nothing for that long
       D <div>         host switches its UART to clocks-per-bit - 1 = div
Frames come from hbctl (the HAL's codec) when it is built, checked against
scripts/bm13xx_frames.py; replies are built by bm13xx_frames.py.
"""
import json
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bm13xx_frames as f  # noqa: E402

CHIP_ID = 0x1FA1
NAME, VERSION = 0x48424650, 0x00010000


def main():
    vec, out, lanes = sys.argv[1], sys.argv[2], int(sys.argv[3])
    d = json.load(open(vec))
    hb = f.Hbctl()
    blk = d["blocks"][1]  # height 1: nonce word 0x01e36299 = lane 0, address 0x1e, counter 0x36299
    hdr = bytes.fromhex(blk["header"])
    mid = [int(blk["midstate"][i * 8:i * 8 + 8], 16) for i in range(8)]
    other = [int(d["blocks"][0]["midstate"][i * 8:i * 8 + 8], 16) for i in range(8)]
    other2 = [(w * 7 + 1) & 0xFFFFFFFF for w in other]
    w3 = struct.unpack(">I", hdr[76:80])[0]
    addr = (w3 >> 20) & 0xFF
    cnt = w3 & 0xFFFFF
    start = struct.pack(">I", (w3 & 0xFFF00000) | (cnt - 3))  # wire bytes, 3 below the nonce

    def job(job_id, mids):
        frame = f.midstate_job(job_id, hdr, mids, start)
        if len(mids) == 1:  # hbctl's own frame for the same job (starting nonce 0) must agree
            hb.check(f.midstate_job(job_id, hdr, mids), "job", "--job-id", str(job_id),
                     "--version-mask", "0", "--header", hdr.hex())
        return frame

    def S(b):
        return "S %d %s" % (len(b), b.hex(" "))

    def E(b):
        return "E %d %s" % (len(b), b.hex(" "))

    ci = hb.check(f.chain_inactive(), "chain-inactive")
    rd_id = hb.check(f.read_reg(0), "read", "chip_id")

    # ---- one chip ----------------------------------------------------------------------
    one = [
        S(rd_id), E(f.reg_reply((CHIP_ID << 16) | (lanes << 8) | 0, 0, 0)),
        S(hb.check(f.read_reg(0xF0), "read", "0xf0")), E(f.reg_reply(NAME, 0, 0xF0)),
        S(hb.check(f.read_reg(0xF4), "read", "0xf4")), E(f.reg_reply(VERSION, 0, 0xF4)),
        # PLL0 stored and read back (BM1397's 200 MHz word), broadcast write, addressed read
        S(hb.check(f.write_reg(0x08, 0x40F00235), "write", "pll0", "0x40f00235")),
        S(hb.check(f.read_reg(0x08, 0), "read", "pll0", "--chip", "0")),
        E(f.reg_reply(0x40F00235, 0, 0x08)),
        # a write with a bad CRC is dropped
        S(f.write_reg(0x08, 0x12345678)[:-1] + b"\x00"),
        S(f.read_reg(0x08, 0)), E(f.reg_reply(0x40F00235, 0, 0x08)),
        # a read for another address gets no answer
        S(hb.check(f.read_reg(0x00, 0x55), "read", "chip_id", "--chip", "0x55")), "Q 3000",
        # enumeration: chain inactive, set address
        S(ci), S(hb.check(f.set_address(addr), "set-address", "0x%x" % addr)),
        S(rd_id), E(f.reg_reply((CHIP_ID << 16) | (lanes << 8) | addr, addr, 0)),
        # ticket mask
        S(hb.check(f.write_reg(0x14, 0xFFFFFFFF, addr), "write", "ticket_mask", "0xffffffff", "--chip", "0x%x" % addr)),
        S(f.read_reg(0x14, addr)), E(f.reg_reply(0xFFFFFFFF, addr, 0x14)),
        # baud divisor 7 -> 3 (8 -> 4 clocks per bit); the host follows after the write
        S(hb.check(f.write_reg(0x28, 3), "write", "0x28", "3")), "Q 200", "D 3",
        S(f.read_reg(0x28, addr)), E(f.reg_reply(3, addr, 0x28)),
        # a one-midstate job started 3 below the real nonce
        S(job(8, [mid])), E(f.nonce_reply(w3, 8, 0)),
        # four midstates, the real one third: counter range of 6 per midstate (reg 0xE0)
        S(f.write_reg(0xE0, cnt + 2)),
        S(job(12, [other, other2, mid, other])), E(f.nonce_reply(w3, 12, 2)),
        "Q 20000",
    ]
    open(os.path.join(out, "chip_single.txt"), "w").write("\n".join(one) + "\n")

    # ---- two chips ------------------------------------------------------------------------
    two = [
        S(ci), S(hb.check(f.set_address(0), "set-address", "0")),
        S(f.set_address(addr)),
        S(rd_id),
        E(f.reg_reply((CHIP_ID << 16) | (lanes << 8) | 0, 0, 0)),
        E(f.reg_reply((CHIP_ID << 16) | (lanes << 8) | addr, addr, 0)),
        S(f.read_reg(0xF0, addr)), E(f.reg_reply(NAME, addr, 0xF0)),
        S(f.read_reg(0x00, 0)), E(f.reg_reply((CHIP_ID << 16) | (lanes << 8) | 0, 0, 0)),
        # a broadcast baud change reaches both chips (chip 0 switches after relaying it)
        S(f.write_reg(0x28, 3)), "Q 400", "D 3",
        S(rd_id),
        E(f.reg_reply((CHIP_ID << 16) | (lanes << 8) | 0, 0, 0)),
        E(f.reg_reply((CHIP_ID << 16) | (lanes << 8) | addr, addr, 0)),
        S(job(4, [mid])), E(f.nonce_reply(w3, 4, 0)),
        "Q 20000",
    ]
    open(os.path.join(out, "chip_chain.txt"), "w").write("\n".join(two) + "\n")
    print("chip streams: %s frames checked against hbctl (%s)" % (hb.checked, hb.path or "not built"))


if __name__ == "__main__":
    main()
