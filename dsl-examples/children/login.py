# A fake login for dsl-examples/login-matrix.yaml: every user's password is "s3cret-pass";
# with FLAKY=1 the first attempt is refused whatever is typed (a flaky directory service).
import os
import sys

attempts = 0
while True:
    user = input("login: ").strip()
    password = input("Password: ")
    attempts += 1
    if password == "s3cret-pass" and not (os.environ.get("FLAKY") == "1" and attempts == 1):
        break
    print("Login incorrect")
print(f"Welcome, {user}")
while True:
    cmd = input("$ ").strip()
    if cmd == "exit":
        sys.exit(0)
    print(user if cmd == "whoami" else f"{cmd}: command not found")
