# Floods stderr (10 MB) while the dialogue waits for a prompt on stdout: a reader that drained
# only stdout would deadlock here.
import os
import sys

chunk = b'E' * 1023 + b'\n'
for _ in range(10 * 1024):
    os.write(2, chunk)
sys.stdout.write('ready> ')
sys.stdout.flush()
line = sys.stdin.readline()
sys.stdout.write('got ' + line)
sys.stdout.flush()
