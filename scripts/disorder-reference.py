#!/usr/bin/env python3
"""An independent implementation of docs/disorder-format.md (permutation only),
written from the document, to check that the document is complete: it prints
the moves for the document's test vectors. Standard library only.

Usage: scripts/disorder-reference.py  (prints the vectors)
"""
import hashlib
import hmac
import struct


def mac(key, message):
    return hmac.new(key, message, hashlib.sha256).digest()


class KeyStream:
    def __init__(self, seed):
        self.seed, self.counter, self.buffer = seed, 0, b""

    def word(self):
        if len(self.buffer) < 4:
            self.buffer = mac(self.seed, struct.pack(">Q", self.counter))
            self.counter += 1
        value, self.buffer = struct.unpack(">I", self.buffer[:4])[0], self.buffer[4:]
        return value

    def uniform(self, n):
        limit = 2**32 - (2**32 % n)
        while True:
            w = self.word()
            if w < limit:
                return w % n


def header_bytes(flags, container, block, width, height, unit_w, unit_h, nonce, key):
    check = mac(key, b"upare-disorder-v1 key check" + nonce)[:8]
    return (b"UPDS" + bytes([1, flags, container, 0]) + struct.pack(">HIIHH", block, width, height, unit_w, unit_h)
            + nonce + check)


def moves(key, header):
    flags, block = header[5], struct.unpack(">H", header[8:10])[0]
    width, height, unit_w, unit_h = struct.unpack(">IIHH", header[10:22])
    across, down = -(-width // unit_w), -(-height // unit_h)
    bx_units, by_units = block // unit_w, block // unit_h
    partial_right, partial_bottom = width % unit_w != 0, height % unit_h != 0
    blocks, groups, shapes, group_of = [], [], [], {}
    for y in range(0, down, by_units):
        for x in range(0, across, bx_units):
            w, h = min(bx_units, across - x), min(by_units, down - y)
            shape = (w, h, partial_right and x + w == across, partial_bottom and y + h == down)
            if shape not in group_of:
                group_of[shape] = len(groups)
                groups.append([])
                shapes.append(shape)
            groups[group_of[shape]].append(len(blocks))
            blocks.append((x, y, w, h))
    master = mac(key, b"upare-disorder-v1" + header[4:38])
    result = []
    for g, members in enumerate(groups):
        stream = KeyStream(mac(master, b"group" + struct.pack(">I", g)))
        order = list(range(len(members)))
        for i in range(len(members) - 1, 0, -1):
            j = stream.uniform(i + 1)
            order[i], order[j] = order[j], order[i]
        w, h, right, bottom = shapes[g]
        square = w * unit_w == h * unit_h and not right and not bottom
        for k in range(len(members)):
            t = c = 0
            if flags & 1:
                t = stream.uniform(8) if square else [0, 2, 4, 5][stream.uniform(4)]
            if flags & 2:
                c = stream.uniform(6)
            result.append((members[k], members[order[k]], t, c))
    return blocks, result


if __name__ == "__main__":
    key, nonce = bytes(range(32)), bytes(range(16))
    for args in [(0, 1, 16, 40, 24, 1, 1), (3, 1, 16, 40, 24, 1, 1), (0, 3, 16, 70, 40, 16, 16), (3, 1, 16, 96, 64, 1, 1)]:
        header = header_bytes(*args, nonce, key)
        blocks, result = moves(key, header)
        print("HEADER", header.hex())
        print("MOVES", ", ".join(f"{t}<-{s} t{tr} c{c}" for t, s, tr, c in result))
