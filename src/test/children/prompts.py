# Writes several prompts in one write: none may be lost between steps.
import sys

sys.stdout.write('first> second> third> ')
sys.stdout.flush()
sys.stdin.readline()
