# Writes every byte value and invalid UTF-8 (a lone continuation byte, a truncated sequence, an
# overlong form, an encoded surrogate, 0xff) before a prompt: decoding must replace, never stop.
import os
import sys

os.write(1, bytes(range(256)) * 4)
os.write(1, b'\x80|\xc3|\xe2\x82|\xc0\xaf|\xed\xa0\x80|\xff\xfe|\xf4\x90\x80\x80|')
os.write(1, 'Введите текст: '.encode())
line = sys.stdin.buffer.readline()
os.write(1, b'\xff' + line + b'\x00done\n')
