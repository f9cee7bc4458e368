#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Turns ../shared/vectors/sha256_and_blocks.json into $readmemh files for the benches.

Generated into the build folder at test time; nothing generated is committed.
  sha256_blocks.hex  one line per 512-bit block: first, last, block, expected digest
  headers.hex        one line per block header: midstate, tail12, nonce word (W3), hash
"""
import hashlib
import json
import struct
import sys


def pad(msg):
    ml = len(msg) * 8
    msg += b"\x80"
    while len(msg) % 64 != 56:
        msg += b"\x00"
    return msg + struct.pack(">Q", ml)


def main():
    src, out = sys.argv[1], sys.argv[2]
    max_blocks = int(sys.argv[3]) if len(sys.argv) > 3 else 64
    d = json.load(open(src))
    lines = []
    n_msgs = 0
    for v in d["sha256"]:
        if "message_ascii" not in v:
            continue  # the million-'a' vector: 15625 blocks, too slow for a bench
        msg = v["message_ascii"].encode()
        assert hashlib.sha256(msg).hexdigest() == v["sha256"]
        p = pad(msg)
        blocks = [p[i:i + 64] for i in range(0, len(p), 64)]
        if len(blocks) > max_blocks:
            continue
        for i, b in enumerate(blocks):
            last = i == len(blocks) - 1
            lines.append("%d%d%s%s" % (i == 0, last, b.hex(), v["sha256"] if last else "0" * 64))
        n_msgs += 1
    open(out + "/sha256_blocks.hex", "w").write("\n".join(lines) + "\n")
    hl = []
    for b in d["blocks"]:
        hdr = bytes.fromhex(b["header"])
        h = hashlib.sha256(hashlib.sha256(hdr).digest()).digest()
        assert h[::-1].hex() == b["hash"]
        assert hdr[64:76].hex() == b["tail12"]
        w3 = hdr[76:80].hex()  # the nonce as message word 3 (its bytes read big-endian)
        assert int(b["nonce"], 16) == struct.unpack("<I", hdr[76:80])[0]
        hl.append(b["midstate"] + b["tail12"] + w3 + h.hex())
    open(out + "/headers.hex", "w").write("\n".join(hl) + "\n")
    # Loose target: every nonce of a window whose H7 has its low 5 bits zero (about 1 in
    # 32), for header 0 and lanes 0..LOOSE_LANES-1, counter LOOSE_FIRST..+LOOSE_N-1.
    hdr = bytes.fromhex(d["blocks"][0]["header"])
    first, n, lanes, mask = 0x100, 64, 2, 0x0000001F
    exp = []
    for cnt in range(first, first + n):
        for lane in range(lanes):
            w3 = (lane << 28) | cnt
            h = hashlib.sha256(hashlib.sha256(hdr[:76] + struct.pack(">I", w3)).digest()).digest()
            if int.from_bytes(h[28:32], "big") & mask == 0:
                exp.append((cnt, lane, w3))
    exp.sort()
    with open(out + "/loose.hex", "w") as f:
        f.write("%08x\n%08x\n%08x\n%08x\n" % (len(exp), first, n, mask))
        for e in exp:
            f.write("%08x\n" % e[2])
        for _ in range(12 - len(exp)):
            f.write("00000000\n")  # the bench reads a fixed 16 words
    print("vectors: %d blocks of %d messages, %d headers" % (len(lines), n_msgs, len(hl)))


if __name__ == "__main__":
    main()
