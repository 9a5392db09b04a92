# Writes N MiB of every byte value in turn (binary, invalid UTF-8), then END-OF-FLOOD, then waits
# for input that never comes. Tests know the exact bytes and their checksum.
import os
import sys

block = bytes(range(256)) * 4096
for _ in range(int(sys.argv[1])):
    view = memoryview(block)
    while view:
        view = view[os.write(1, view):]
os.write(1, b'END-OF-FLOOD\n')
sys.stdin.read()
