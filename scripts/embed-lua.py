#!/usr/bin/env python3
"""Embed a Lua source file in C: embed-lua.py NAME INPUT OUTPUT.

Writes OUTPUT, a C file defining `const char NAME[]` (the file's bytes,
NUL-terminated) and `const size_t NAME_len`, so that a program can load
the module without finding it on package.path.
"""
import sys


def main():
    name, src, out = sys.argv[1:4]
    data = open(src, 'rb').read()
    with open(out, 'w') as f:
        f.write('/* Generated from %s by scripts/embed-lua.py. */\n' % src)
        f.write('#include <stddef.h>\n')
        f.write('const char %s[] = {\n' % name)
        for i in range(0, len(data), 12):
            chunk = data[i:i + 12]
            f.write('    ' + ', '.join('0x%02x' % b for b in chunk) + ',\n')
        f.write('    0x00\n};\n')
        f.write('const size_t %s_len = %d;\n' % (name, len(data)))


if __name__ == '__main__':
    main()
