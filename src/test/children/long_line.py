# Writes N MiB of one line with no newline, then a prompt on the same line, then waits for a
# line and echoes it: a flood that LineTail and the matcher must bear in bounded memory.
import os
import sys

mib = int(sys.argv[1]) if len(sys.argv) > 1 else 50
block = b'x' * (1024 * 1024)
for _ in range(mib):
    os.write(1, block)
os.write(1, b'END> ')
line = sys.stdin.readline()
os.write(1, ('got ' + line).encode())
