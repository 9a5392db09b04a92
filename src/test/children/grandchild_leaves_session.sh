# Starts a grandchild in a session of its own (setsid), out of reach of any signal to this
# child's process group, holding stdout open; then exits at once. Its pid is printed.
setsid sleep 1000 &
echo "escaped $!"
exit 0
