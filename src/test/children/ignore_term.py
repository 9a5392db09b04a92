# Ignores SIGTERM, says so, then sleeps: only SIGKILL (after the grace period) can end it.
import signal
import sys
import time

signal.signal(signal.SIGTERM, signal.SIG_IGN)
sys.stdout.write('ignoring TERM> ')
sys.stdout.flush()
while True:
    time.sleep(3600)
