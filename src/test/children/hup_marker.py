# Says it is ready, then waits; on SIGHUP (the terminal hung up) writes the file named by its
# first argument and exits.
import signal
import sys
import time


def hung_up(signum, frame):
    with open(sys.argv[1], 'w') as f:
        f.write('SIGHUP\n')
    sys.exit(0)


signal.signal(signal.SIGHUP, hung_up)
print('ready', flush=True)
while True:
    time.sleep(1)
