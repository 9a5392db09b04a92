# A small login a person talks to (promptly record's example and RecordTest): a banner with its
# pid and the time, a name, a password read with echo off, then numbered prompts until "quit",
# which exits 3.
import getpass
import os
import sys
import time

print(f"bank 1.0 (pid {os.getpid()}) started {time.strftime('%H:%M:%S')}", flush=True)
name = input("Name: ")
if getpass.getpass("Password: ") != "open sesame":
    print("wrong password", flush=True)
    sys.exit(1)
print(f"welcome, {name}", flush=True)
n = 0
while True:
    n += 1
    try:
        command = input(f"[{os.getpid()}] {n}> ")
    except EOFError:
        print("bye (eof)", flush=True)
        sys.exit(0)
    if command == "balance":
        print("balance: 42.00", flush=True)
    elif command == "quit":
        print("bye", flush=True)
        sys.exit(3)
    else:
        print(f"unknown command {command!r}", flush=True)
