# The notes' listing 13_4 with a prompt after it: a big output before the prompt.
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000000
out = sys.stdout.buffer
chunk = b'HI!!\n' * 1000
for _ in range(n // 1000):
    out.write(chunk)
out.write(b'HI!!\n' * (n % 1000))
out.write('DONE> '.encode())
out.flush()
line = sys.stdin.readline()
out.write(b'bye ' + line.strip().encode() + b'\n')
out.flush()
