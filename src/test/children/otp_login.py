# Prints a one-time password (made here, so it is in no command line or file), asks for a
# password, echoes what it got and the one-time password, then exits 3.
import sys

otp = 'OTP-\\E-' + str(5500 + 21)
print('otp=' + otp, flush=True)
sys.stdout.write('Password: ')
sys.stdout.flush()
pw = sys.stdin.readline().strip()
print('ok', pw, otp, flush=True)
sys.exit(3)
