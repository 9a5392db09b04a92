# Asks for a password and a token (on a pty they are echoed as typed), prints them back, then the
# password once more in two writes, so its echo arrives split across two reads. Then waits.
import sys
import time

pw = input('Password: ')
tok = input('Token: ')
print('you typed', pw, 'and', tok, flush=True)
sys.stdout.write('split=' + pw[:4])
sys.stdout.flush()
time.sleep(0.3)
sys.stdout.write(pw[4:] + '\n')
sys.stdout.flush()
time.sleep(60)
