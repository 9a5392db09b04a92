# Says goodbye, closes stdout and stderr (the same pipe), then keeps running: the output ends
# while the process lives on. Its pid is printed so a test can check it is gone afterwards.
import os
import time

os.write(1, ('pid %d bye\n' % os.getpid()).encode())
os.close(1)
os.close(2)
while True:
    time.sleep(3600)
