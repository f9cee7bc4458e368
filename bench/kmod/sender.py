#!/usr/bin/env python3
"""bench/kmod/sender.py: the chain side of bench/kmod/run's frame benchmark.

Listens on the unix socket QEMU's ttyS2 connects to (tests/kmod/run passes
its path as the last argument, KMOD_LDISC_SERVER). Each time the guest writes
a "go" command frame on the line, 55 AA 52 05 00 MODE CRC5 (a register read
of register MODE), it sends one pass: FRAMES BM13xx 9-byte nonce replies
AA 55 N3 N2 N1 N0 12 34 LAST with the counter N in the nonce (so losses are
countable) and bit 7 of LAST set over a CRC5 that makes the CRC over the 7
bytes after the preamble zero, then 8 end frames (N = 0xFFFFFFFF).
MODE 0: frames back to back; MODE 1: 1-4 garbage bytes (never 0xAA) before
every third frame; MODE 0xFF: exit.

The stream is paced at the chain's baud (--baud, 10 bits a byte: 8N1), as a
real UART would deliver it: every --slice-ms (default 1 ms) the sender hands
QEMU the bytes due by then, so the guest sees line-rate arrival in small
slices instead of the whole pass at QEMU's emulation rate. When QEMU does not
take the bytes as fast (the socket fills), the stream falls behind; the
sender prints how long each pass took against the nominal time.
"""
import argparse
import os
import socket
import sys
import time


def crc5_bits(data, nbits):
    """CRC5 of the BM13xx protocol (poly 0x05, init 0x1f, MSB first) over the
    first nbits bits of data (the same as tests/kmod/guest/hbt.h's hbt_crc5
    and core/src/bm13xx/crc.cpp)."""
    crc = 0x1F
    for i in range(nbits):
        bit = (data[i // 8] >> (7 - i % 8)) & 1
        fb = ((crc >> 4) ^ bit) & 1
        crc = (crc << 1) & 0x1F
        if fb:
            crc ^= 0x05
    return crc


def reply(counter):
    body = bytearray([0xAA, 0x55, (counter >> 24) & 0xFF, (counter >> 16) & 0xFF,
                      (counter >> 8) & 0xFF, counter & 0xFF, 0x12, 0x34, 0x80])
    # The CRC register's value after the 51 message bits, appended MSB first,
    # drives the register to zero: that is the frame's CRC field.
    body[8] |= crc5_bits(body[2:], 51)
    return bytes(body)


def stream(frames, garbage):
    out = bytearray()
    gbytes = 0
    for i in range(frames):
        if garbage and i % 3 == 0:
            k = 1 + i % 4
            out += bytes(((i * 37 + j * 11) & 0x7F) for j in range(k))
            gbytes += k
        out += reply(i)
    out += reply(0xFFFFFFFF) * 8
    return bytes(out), gbytes


def paced_send(conn, data, rate, slice_s):
    """Sends data at rate bytes/s, every slice_s the bytes due by then.
    Returns (seconds taken, largest lag behind schedule in seconds)."""
    view = memoryview(data)
    n = len(data)
    sent = 0
    lag = 0.0
    t0 = time.monotonic()
    k = 0
    while sent < n:
        now = time.monotonic()
        due = min(n, int((now - t0) * rate) + 1)
        if due > sent:
            conn.sendall(view[sent:due])
            sent = due
            # How far the bytes that went now are behind their due time.
            lag = max(lag, time.monotonic() - (t0 + sent / rate))
        k += 1
        wait = t0 + k * slice_s - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        else:
            k = int((time.monotonic() - t0) / slice_s)
    return time.monotonic() - t0, lag


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=int, default=100000)
    ap.add_argument("--baud", type=int, default=3000000,
                    help="the chain's baud; the stream is paced at baud/10 bytes/s")
    ap.add_argument("--slice-ms", type=float, default=1.0,
                    help="send the bytes due every this many ms")
    ap.add_argument("socket")
    a = ap.parse_args()
    # Self-check against the bytewise CRC the kernel framer applies.
    for c in (0, 1, 0x12345678, 0xFFFFFFFF):
        assert crc5_bits(reply(c)[2:], 56) == 0, c
    if os.path.exists(a.socket):
        os.unlink(a.socket)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(a.socket)
    srv.listen(1)
    streams = {0: stream(a.frames, False), 1: stream(a.frames, True)}
    rate = a.baud / 10.0
    print(f"sender: {a.frames} frames per pass; garbage pass has "
          f"{streams[1][1]} garbage bytes; paced at {a.baud} Bd = "
          f"{rate:.0f} bytes/s in {a.slice_ms:g} ms slices; listening on "
          f"{a.socket}", flush=True)
    conn, _ = srv.accept()
    buf = bytearray()
    go = bytes([0x55, 0xAA, 0x52, 0x05, 0x00])
    while True:
        d = conn.recv(4096)
        if not d:
            print("sender: guest closed the line", flush=True)
            return 0
        buf += d
        while True:
            i = buf.find(go)
            if i < 0 or len(buf) < i + 7:
                if i < 0:
                    del buf[:max(0, len(buf) - 4)]
                break
            mode = buf[i + 5]
            del buf[:i + 7]
            if mode == 0xFF:
                print("sender: quit", flush=True)
                return 0
            data, g = streams.get(mode, streams[0])
            took, lag = paced_send(conn, data, rate, a.slice_ms / 1000.0)
            # Within 10 ms of the schedule the guest saw line-rate arrival;
            # beyond that QEMU took the bytes slower than the line carries
            # them and the stream ran at QEMU's emulation rate instead.
            held = "line rate held" if lag < 0.010 else \
                "behind: QEMU took the bytes slower than the line rate"
            print(f"sender: mode {mode}: {len(data)} bytes ({g} garbage) "
                  f"in {took:.3f} s (nominal {len(data) / rate:.3f} s at "
                  f"{a.baud} Bd; largest lag {lag * 1000:.1f} ms: {held})",
                  flush=True)


if __name__ == "__main__":
    sys.exit(main())
