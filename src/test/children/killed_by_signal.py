# Answers once, then kills itself with the signal named on its command line (no core file).
import os
import resource
import signal
import sys

resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
sig = getattr(signal, sys.argv[1])
sys.stdout.write('ready> ')
sys.stdout.flush()
sys.stdin.readline()
sys.stdout.write('dying by %s\n' % sys.argv[1])
sys.stdout.flush()
os.kill(os.getpid(), sig)
