# Floods stderr and never prompts: the run's time must run out while the output is drained, in
# bounded memory. Every line is the same 1 KiB, so what was read can be checked as a prefix.
import os

chunk = (b'E' * 1023 + b'\n') * 64
while True:
    os.write(2, chunk)
