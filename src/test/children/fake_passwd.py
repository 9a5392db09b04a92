# A stand-in for passwd (which needs root): asks for the new password twice and writes every line
# it receives to the file named by its first argument, so a test can see exactly what was typed.
import sys

with open(sys.argv[1], 'a') as record:
    for prompt in ('New password: ', 'Retype new password: '):
        sys.stdout.write(prompt)
        sys.stdout.flush()
        line = sys.stdin.readline()
        if not line:
            break
        record.write(line)
        record.flush()
print('passwd: password updated successfully', flush=True)
