# A fake shell with a fake sudo and apt-get, for dsl-examples/install.yaml: sudo asks for the
# password with echo off, and asks again when its timestamp "expires" in the middle of the work.
import getpass
import sys

PASSWORD = "correct horse"
INSTALLED = {"curl"}


def sudo():
    for _ in range(3):
        if getpass.getpass("[sudo] password for deploy: ") == PASSWORD:
            return True
        print("Sorry, try again.")
    return False


while True:
    line = input("$ ").strip()
    if line == "exit":
        sys.exit(0)
    words = line.split()
    if words[:3] != ["sudo", "apt-get", "install"] or len(words) != 4:
        print(f"sh: {line}: not found")
        continue
    if not sudo():
        sys.exit(1)
    package = words[3]
    if package in INSTALLED:
        print(f"{package} is already the newest version (1.0).")
        continue
    print(f"The following NEW packages will be installed: {package}")
    if input("Do you want to continue? [Y/n] ").strip() not in ("", "Y", "y"):
        print("Abort.")
        continue
    # The sudo timestamp ran out while downloading: asked again, in the middle of the work.
    if not sudo():
        sys.exit(1)
    print(f"Setting up {package} (2.0) ...")
    INSTALLED.add(package)
