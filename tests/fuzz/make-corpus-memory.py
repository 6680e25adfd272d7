#!/usr/bin/env python3
"""Writes the seed corpus of tests/fuzz/fuzz-memory.c into corpus-memory/.

Each seed is a small program in the fuzzer's input format (see the
comment at the top of fuzz-memory.c); the encoders below follow its
step_* functions byte for byte. Run it again after changing the format.
"""
import os
import struct

# The first slot of each step in fuzz-memory.c's op_table.
NEW, ADD, DEL, ENABLED, READONLY, PRIORITY, ADDRESS, ALIAS_OFFSET = \
    0, 3, 8, 10, 12, 13, 15, 17
BEGIN, COMMIT, RELEASE, OWNER, SPACE, READ, WRITE, BYTES = \
    18, 20, 22, 24, 25, 27, 29, 31

# Indexes into new_args()'s kinds[].
CONTAINER, RAM, ROM, IO, ALIAS = 0, 2, 3, 4, 6
FREE, OWNER0, OWNER1 = 0, 1, 2


def addr(a):
    """An address: next_addr()."""
    if a < 256:
        return bytes([0, a])
    if a < 512:
        return bytes([5, a - 256])
    if a >= 2**64 - 256:
        return bytes([6, 2**64 - 1 - a])
    return bytes([7]) + struct.pack('<Q', a)


def size(n):
    """A size: next_size(); 2**64 for the whole space."""
    if 1 <= n <= 64:
        return bytes([0, n - 1])
    if n < 256:
        return bytes([5, n])
    if n == 2**64:
        return bytes([6])
    return bytes([7]) + struct.pack('<Q', n)


def prio(p):
    return bytes([{-1: 0, 0: 1, 1: 2, 2: 3}[p]])


def new(kind, owner, n, misuse=0, target=0, offset=0):
    out = bytes([NEW, kind, owner]) + size(n) + bytes([misuse])
    if kind == ALIAS:
        out += bytes([target]) + addr(offset)
    return out


def add(parent, sub, at, p=None, missing=False):
    how = 0xf8 if missing else 0
    if p is None:
        return bytes([ADD, parent, sub]) + addr(at) + bytes([how])
    return bytes([ADD, parent, sub]) + addr(at) + bytes([how | 1]) + prio(p)


def delete(sub, wrong=None):
    if wrong is None:
        return bytes([DEL, sub, 1, 0])
    return bytes([DEL, sub, 0, wrong])


def setf(op, r, value, p=0):
    return bytes([op, r, value]) + prio(p)


def set_address(r, at):
    return bytes([ADDRESS, r]) + addr(at)


def set_alias_offset(r, off):
    return bytes([ALIAS_OFFSET, r]) + addr(off)


def space(k, root, missing=False):
    return bytes([SPACE, k, root, 0 if missing else 1])


def access_addr(a):
    return bytes([0]) + addr(a)


# The size byte of a sized access, by size (0 and 3 are misuse).
SIZES = {1: 0, 2: 1, 4: 2, 8: 3, 0: 14, 3: 15}


def read(sp, a, n):
    return bytes([READ, sp]) + access_addr(a) + bytes([SIZES[n]])


def write(sp, a, n, value):
    return (bytes([WRITE, sp]) + access_addr(a) + bytes([SIZES[n]]) +
            struct.pack('<Q', value))


def read_bytes(sp, a, n):
    return bytes([BYTES, sp, n]) + access_addr(a)


def write_bytes(sp, a, data):
    how = 0x80 + (len(data) - 0x80) % 20  # how % 20 is the length
    return bytes([BYTES, sp, how]) + access_addr(a) + data


SEEDS = {
    # A small board: RAM, MMIO above it, an alias of the RAM; accesses
    # across the edges; a transaction that moves and hides things.
    'board': b''.join([
        new(CONTAINER, FREE, 256),        # r0
        new(RAM, OWNER0, 64),             # r1
        new(IO, OWNER1, 32),              # r2
        new(ALIAS, OWNER0, 16, target=1, offset=8),  # r3 -> r1 + 8
        add(0, 1, 0x10),
        add(0, 2, 0x40, p=1),
        add(0, 3, 0xc0),
        space(0, 0),
        read(0, 0x0e, 4), read(0, 0x4e, 4), read(0, 0xc0, 8),
        write(0, 0x3c, 8, 0x1122334455667788),
        write_bytes(0, 0xbe, b'\x01\x02\x03\x04'),
        read_bytes(0, 0x0c, 12),
        bytes([BEGIN]),
        set_address(1, 0x20),
        setf(ENABLED, 2, 0),
        setf(READONLY, 3, 1),
        read(0, 0x10, 4),
        bytes([COMMIT]),
        read(0, 0x20, 4), write(0, 0xc0, 4, 0xdeadbeef),
    ]),
    # Every misuse, each refused and changing nothing.
    'misuse': b''.join([
        new(CONTAINER, FREE, 128),        # r0
        new(CONTAINER, OWNER0, 64),       # r1
        new(RAM, OWNER0, 16),             # r2
        new(ALIAS, FREE, 32, target=0),   # r3 -> r0
        new(RAM, OWNER0, 0),              # refused: 0 bytes
        new(RAM, OWNER0, 8, misuse=1),    # refused: no name
        new(RAM, OWNER0, 8, misuse=2),    # refused: a taken name
        new(ROM, FREE, 8, misuse=3),      # refused: too much content
        new(ALIAS, FREE, 8, misuse=4),    # refused: no target
        new(RAM, FREE, 2**64),            # refused: cannot allocate
        new(RAM, FREE, 8),                # r4
        add(0, 1, 0), add(1, 2, 8),
        add(0, 2, 0),                     # refused: already mapped
        add(0, 0, 0),                     # refused: into itself
        add(2, 0, 0),                     # refused: into a descendant
        add(0, 3, 0x40),                  # refused: alias loop
        add(3, 4, 0),                     # refused: into an alias
        add(0, 4, 2**64 - 4),             # refused: past 2^64
        add(0, 2, 2**64 - 8, missing=True),  # refused: no subregion
        delete(2, wrong=0),               # refused: wrong container
        set_address(2, 2**64 - 4),        # refused: past 2^64
        set_alias_offset(2, 4),           # refused: not an alias
        space(0, 0), space(1, 0, missing=True),
        read(0, 8, 0), read(0, 8, 3), write(0, 8, 0, 1),
        read_bytes(0, 8, 0), write_bytes(0, 8, b''),
        read(0, 2**64 - 2, 4), read_bytes(0, 2**64 - 3, 8),
    ]),
    # The top of the space: a 2^64 root, regions ending at 2^64, an alias
    # whose window starts before its target.
    'top': b''.join([
        new(CONTAINER, FREE, 2**64),      # r0
        new(RAM, OWNER0, 32),             # r1
        new(IO, FREE, 2**64),             # r2
        new(ALIAS, OWNER1, 64, target=1, offset=2**64 - 16),  # r3
        add(0, 1, 2**64 - 32),
        add(0, 2, 0, p=-1),
        add(0, 3, 0x100, p=1),
        space(0, 0), space(1, 2),
        read(0, 2**64 - 8, 8), read(0, 2**64 - 34, 4),
        write(0, 2**64 - 4, 4, 0xa5a5a5a5),
        read(1, 2**64 - 1, 1),
        set_alias_offset(3, 2**64 - 8),
        read(0, 0x100, 8),
    ]),
    # Nested transactions: changes, a new address space and releases are
    # all deferred to the outermost commit.
    'nested': b''.join([
        new(CONTAINER, OWNER0, 200),      # r0
        new(RAM, FREE, 40),               # r1
        new(RAM, OWNER1, 40),             # r2
        add(0, 1, 0), add(0, 2, 0x20, p=1),
        space(0, 0),
        bytes([BEGIN]),
        setf(PRIORITY, 1, 0, p=2),
        bytes([BEGIN]),
        space(1, 1),
        delete(2),
        read(0, 0x20, 8),
        bytes([COMMIT]),
        read(0, 0x24, 8),
        bytes([RELEASE, 1]),
        bytes([COMMIT]),
        read(0, 0x20, 8), read(1, 0, 4),
    ]),
    # Releases inside a transaction: the released region stays in the
    # view until the commit; RAM still reads, MMIO must not be called.
    'release-in-tx': b''.join([
        new(CONTAINER, FREE, 256),        # r0
        new(IO, OWNER0, 32),              # r1
        new(RAM, OWNER0, 32),             # r2
        new(IO, OWNER1, 16),              # r3
        add(0, 1, 0), add(0, 2, 0x40), add(0, 3, 0x80),
        space(0, 0),
        read(0, 0x80, 4),
        bytes([BEGIN]),
        bytes([RELEASE, 2]),              # unparent r2
        read(0, 0x40, 4), write(0, 0x44, 2, 0xbeef),
        bytes([COMMIT]),
        read(0, 0x40, 4), read(0, 0x80, 4),
    ]),
    # Owners dropped while their regions are mapped across owners: a
    # cycle through a free-standing region, which the teardown cuts.
    'owners': b''.join([
        new(CONTAINER, FREE, 128),        # r0
        new(CONTAINER, OWNER0, 64),       # r1
        new(RAM, OWNER0, 16),             # r2
        new(IO, OWNER1, 16),              # r3
        add(0, 2, 0), add(1, 0, 0), add(0, 3, 0x20),
        space(0, 1),
        read(0, 0x20, 4),
        bytes([OWNER, 1]),                # drop owner1: r3 stays mapped
        read(0, 0x20, 4),
        bytes([RELEASE, 0]),              # unref r0: r1 keeps it
        bytes([OWNER, 0]),                # drop owner0: a cycle
        bytes([OWNER, 0]),                # a new owner0
        new(RAM, OWNER0, 8),
    ]),
    # A cached MMIO region orphaned inside a transaction, then read
    # again: its ops must not run (the case the fuzzer found first).
    'orphan-cached-mmio': b''.join([
        new(CONTAINER, FREE, 256),        # r0
        new(IO, OWNER1, 32),              # r1
        add(0, 1, 0x40),
        space(0, 0),
        read(0, 0x40, 4),
        bytes([BEGIN]),
        bytes([RELEASE, 1]),              # unparent r1
        read(0, 0x40, 4),
    ]),
}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, 'corpus-memory')
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    main()
