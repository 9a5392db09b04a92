# Writes its prompt one byte at a time (multibyte characters split across reads), then echoes.
import os
import sys
import time

for b in 'Введите текст: '.encode():
    os.write(1, bytes([b]))
    time.sleep(0.002)
line = sys.stdin.buffer.readline()
for b in ('Вы ввели: ' + line.decode()).encode():
    os.write(1, bytes([b]))
