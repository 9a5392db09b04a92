# Closes its input without reading it, writes a prompt, and exits: whatever is sent to it can
# only fail (EPIPE, or the child has already gone).
import os

os.close(0)
os.write(1, b'prompt> ')
