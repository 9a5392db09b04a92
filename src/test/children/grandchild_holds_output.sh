# Starts a grandchild that inherits stdout and outlives this script, which exits at once: the
# output stays open after the child's exit. The grandchild's pid is printed so a test can check
# it is gone afterwards.
sleep 1000 &
echo "grandchild $!"
exit 0
