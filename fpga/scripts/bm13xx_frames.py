#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""BM13xx frames for the FPGA benches, written from docs/protocol.md's layout.

When the project's hbctl is built (HBCTL, else the tree's build/tools/hbctl) every command frame and the unpatched job frame are also
made by `hbctl frames encode -f bm1397` and must agree byte for byte: the benches then
run on the HAL codec's own bytes. Without hbctl they run on these encoders alone.
"""
import os
import shutil
import struct
import subprocess


def crc5_bits(data, nbits):
    crc = 0x1F
    for i in range(nbits):
        bit = (data[i // 8] >> (7 - i % 8)) & 1
        fb = ((crc >> 4) & 1) ^ bit
        crc = (crc << 1) & 0x1F
        if fb:
            crc ^= 0x05
    return crc


def crc5(data):
    return crc5_bits(data, len(data) * 8)


def crc16(data):
    crc = 0xFFFF
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def cmd(hdr, data):
    body = bytes([hdr, len(data) + 3]) + bytes(data)
    return b"\x55\xaa" + body + bytes([crc5(body)])


def set_address(addr):
    return cmd(0x40, [addr, 0])


def chain_inactive():
    return cmd(0x53, [0, 0])


def read_reg(reg, chip=None):
    return cmd(0x52, [0, reg]) if chip is None else cmd(0x42, [chip, reg])


def write_reg(reg, value, chip=None):
    v = list(struct.pack(">I", value))
    return cmd(0x51, [0, reg] + v) if chip is None else cmd(0x41, [chip, reg] + v)


def midstate_job(job_id, header, midstates, start_nonce_field=b"\0\0\0\0"):
    """header: 80 bytes; midstates: list of 8-word states; start: 4 wire bytes."""
    data = bytes([job_id, len(midstates)]) + start_nonce_field
    data += header[72:76] + header[68:72] + header[64:68]  # nbits, ntime, merkle tail
    for m in midstates:
        data += b"".join(struct.pack(">I", w) for w in reversed(m))  # BE(h7)..BE(h0)
    body = bytes([0x21, len(data) + 4]) + data
    c = crc16(body)
    return b"\x55\xaa" + body + bytes([c >> 8, c & 0xFF])


def reply(payload6, nonce):
    flags = 0x80 if nonce else 0x00
    covered = bytes(payload6) + bytes([flags])
    return b"\xaa\x55" + bytes(payload6) + bytes([flags | crc5_bits(covered, 51)])


def reg_reply(value, addr, reg):
    return reply(list(struct.pack(">I", value)) + [addr, reg], False)


def nonce_reply(nonce_word, job_id, midx):
    return reply(list(struct.pack(">I", nonce_word)) + [midx, (job_id & 0xFC) | midx], True)


def find_hbctl():
    here = os.path.dirname(os.path.abspath(__file__))
    for c in (os.environ.get("HBCTL"), os.path.join(here, "../../build/tools/hbctl")):
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    return shutil.which("hbctl")


class Hbctl:
    def __init__(self):
        self.path = find_hbctl()
        self.checked = 0

    def encode(self, *args):
        out = subprocess.run([self.path, "frames", "encode"] + list(args) + ["-f", "bm1397"],
                             check=True, capture_output=True, text=True).stdout
        lines = [l for l in out.splitlines() if l and not l.startswith("#")]
        return bytes.fromhex("".join(lines))

    def check(self, mine, *args):
        """Returns hbctl's bytes for the frame (they must equal ours), or ours without hbctl."""
        if not self.path:
            return mine
        theirs = self.encode(*args)
        if theirs != mine:
            raise SystemExit("frame mismatch for %s: hbctl %s, ours %s" % (args, theirs.hex(), mine.hex()))
        self.checked += 1
        return theirs
