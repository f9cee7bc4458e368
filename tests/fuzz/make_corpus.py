#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the seed corpora for the codec fuzz targets (tests/fuzz/corpus/*/).

The seeds are committed; run this again only to change them. It carries its own small
CRC code so that it does not depend on a build.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def crc5_bits(data, nbits):
    crc = 0x1F
    for i in range(nbits):
        bit = (data[i // 8] >> (7 - i % 8)) & 1
        feedback = ((crc >> 4) & 1) ^ bit
        crc = (crc << 1) & 0x1F
        if feedback:
            crc ^= 0x05
    return crc


def crc16(data):
    crc = 0xFFFF
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def command(hdr, data):
    body = bytes([hdr, len(data) + 3]) + data
    return b"\x55\xAA" + body + bytes([crc5_bits(body, len(body) * 8)])


def job(data):
    body = bytes([0x21, len(data) + 4]) + data
    return b"\x55\xAA" + body + struct.pack(">H", crc16(body))


def reply(payload, nonce):
    body = bytearray(payload + bytes([0x80 if nonce else 0x00]))
    body[-1] |= crc5_bits(body, len(body) * 8 - 5)
    return b"\xAA\x55" + bytes(body)


def flip(frame, byte, bit):
    out = bytearray(frame)
    out[byte] ^= 0x80 >> bit
    return bytes(out)


def write(folder, name, content):
    path = os.path.join(HERE, "corpus", folder)
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, name), "wb") as f:
        f.write(content)


def replies():
    chip_id = reply(bytes.fromhex("139718000000"), False)
    assert chip_id == bytes.fromhex("AA5513971800000006")
    nonce9 = reply(bytes.fromhex("0f2b571003" "1b"), True)
    reg11 = reply(bytes.fromhex("136612340400" "0000"), False)
    nonce11 = reply(bytes.fromhex("0f2b571000" "18" "1234"), True)
    garbage = bytes([0x00, 0x13, 0xAA, 0x01, 0x55, 0xFF])
    write("reply_parser", "chip_id_9", chip_id)
    write("reply_parser", "nonce_9", nonce9)
    write("reply_parser", "register_11", reg11)
    write("reply_parser", "nonce_11", nonce11)
    write("reply_parser", "frames_9_with_garbage", garbage + chip_id + garbage[:3] + nonce9 + b"\xAA")
    write("reply_parser", "frames_11_with_garbage", garbage + reg11 + nonce11 + garbage)
    write("reply_parser", "bad_crc_then_good", flip(nonce9, 5, 3) + chip_id)
    write("reply_parser", "fake_preamble", b"\xAA\x55\x13\x97" + nonce9 + b"\xAA\x55" + nonce11)


def hosts():
    read_all = command(0x52, bytes([0, 0]))
    assert read_all == bytes.fromhex("55AA52050000 0A".replace(" ", ""))
    inactive = command(0x53, bytes([0, 0]))
    set_addr = command(0x40, bytes([0x08, 0]))
    write_reg = command(0x51, bytes([0x00, 0x14]) + struct.pack(">I", 0xFF))
    read_one = command(0x42, bytes([0x04, 0xA4]))
    fields = bytes([0x04, 0x01]) + struct.pack("<IIII", 0, 0x1B04864C, 0x4D1B2237, 0xF3E94742)
    midstate = bytes(range(0x40, 0x60))
    mid1 = job(fields + midstate)
    mid4 = job(bytes([0x08, 0x04]) + fields[2:] + midstate * 4)
    header = job(bytes([0x18, 0x01]) + fields[2:14] + bytes(range(32)) + bytes(range(0x80, 0xA0))
                 + struct.pack("<I", 0x20000000))
    assert mid1[3] == 0x36 and mid4[3] == 0x96 and header[3] == 0x56
    garbage = bytes([0x00, 0x55, 0x21, 0xAA, 0x42])
    write("host_parser", "enumeration", read_all + inactive + set_addr + command(0x40, bytes([0x0C, 0])))
    write("host_parser", "registers", write_reg + read_one + garbage + read_all)
    write("host_parser", "midstate_job_1", mid1)
    write("host_parser", "midstate_job_4", mid4)
    write("host_parser", "header_job", header)
    write("host_parser", "jobs_with_garbage", garbage + header + garbage + mid1 + b"\x55")
    write("host_parser", "truncated_job_then_command", header[:40] + set_addr)
    write("host_parser", "bad_len_then_good", b"\x55\xAA\x21\x57" + flip(mid1, 30, 0) + inactive)


def board_files():
    """The shipped boards, and a few small files with the values the reader refuses."""
    boards = os.path.join(HERE, "..", "..", "boards")
    for name in sorted(os.listdir(boards)):
        if name.endswith(".toml"):
            with open(os.path.join(boards, name), "rb") as f:
                write("board_config", name[:-5], f.read())
    small = (b'name = "x"\n[[chain]]\nfamily = "bm1366"\nchips = 4\ntransport = "sim"\n'
             b'[[regulator]]\nname = "r"\ntype = "sim"\nvout_min_mv = 1100\n'
             b'vout_max_mv = 1400\ndefault_mv = 1200\n'
             b'[limits]\ntemp_warn_c = 70\ntemp_trip_c = 85\n')
    write("board_config", "small", small)
    write("board_config", "nan_limit", small.replace(b"temp_trip_c = 85", b"temp_trip_c = nan"))
    write("board_config", "inf_frequency", small + b"[safety]\nwatchdog_timeout_s = inf\n")
    write("board_config", "huge_integer", small.replace(b"chips = 4", b"chips = 9223372036854775807"))
    write("board_config", "sim_faults", small + b'[sim]\nzero_bits = 8\n[[sim.fault]]\n'
          b'type = "dead_chip"\nchain = 0\nposition = 2\n')


def uris():
    for name, uri in [
        ("sim_bare", "sim"),
        ("sim_full", "sim:bm1366?chips=4&zero_bits=12&seed=1&dead=2&ber=1e-6&flimit=600"),
        ("sim_hex", "sim:bm1370?chips=0x10&mute=0x3"),
        ("sim_bad_numbers", "sim:bm1397?chips=-1&zero_bits=nan&ber=inf"),
        ("sim_duplicate", "sim:bm1366?seed=1&seed=2"),
        ("tty_reset", "tty:/dev/pts/5?reset=hbsim:/tmp/chain0.ctl"),
        ("bare_path", "/dev/ttyS1"),
        ("unix", "unix:/tmp/hbsim.sock"),
        ("ftdi", "ftdi:0403:6015:FT1234?reset=cbus0"),
        ("spidev", "spidev:/dev/spidev0.0?speed=1000000"),
    ]:
        write("transport_uri", name, uri.encode())


if __name__ == "__main__":
    replies()
    hosts()
    board_files()
    uris()
