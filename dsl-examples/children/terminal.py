# Reports whether stdin is a terminal and the terminal's size (rows x columns).
import os
import sys

print(f"tty={os.isatty(0)}")
if os.isatty(0):
    size = os.get_terminal_size(0)
    print(f"size={size.lines}x{size.columns}")
sys.stdout.flush()
