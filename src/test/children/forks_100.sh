# Starts 100 processes that ignore SIGTERM (so only the group's SIGKILL can end them), prints
# their pids, then waits for them: a run that fails must leave none behind.
trap '' TERM
i=0
while [ $i -lt 100 ]; do
  sleep 1000 &
  echo "forked $!"
  i=$((i + 1))
done
printf 'forked all> '
wait
