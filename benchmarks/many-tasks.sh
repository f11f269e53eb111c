#!/usr/bin/env bash
# N incremental tasks of small sources created one after another in one home, then a sync of each, every command a
# new CLI process; prints each command's wall time, the receiver processes left running between cycles and their
# total resident memory, then deletes the tasks and counts what is left (issue #12, item 8: one receiver, not N).
#
# usage: benchmarks/many-tasks.sh [N] [JAR]
set -euo pipefail
N=${1:-5}
JAR=${2:-smc-examples/target/smc.jar}
W=$(mktemp -d /tmp/smc-many.XXXXXX)
trap 'rm -rf "$W"' EXIT
secs() { local t0 t1; t0=$(date +%s.%N); "$@" > /dev/null; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }
C=(); S=()
for i in $(seq "$N"); do
  mkdir -p "$W/s$i/etc" && echo "server $i" > "$W/s$i/etc/app.conf"
  C+=("$(secs java -jar "$JAR" task create --home "$W/home" --name "t$i" --source "$W/s$i" --image-name "t$i" \
    --incremental --interval 6h --max-images 2)")
done
for i in $(seq "$N"); do
  echo "changed" >> "$W/s$i/etc/app.conf"
  S+=("$(secs java -jar "$JAR" task sync --home "$W/home" "t$i")")
done
pids=$(pgrep -f "ReceiverMain.*$W/home/transit" || true)
rss=0; for p in $pids; do rss=$((rss + $(awk '/VmRSS/ {print $2}' "/proc/$p/status"))); done
printf 'create s: %s\n' "${C[*]}"
printf 'sync s:   %s\n' "${S[*]}"
printf 'receiver processes between cycles: %d, resident %d MiB in all\n' "$(echo "$pids" | grep -c . || true)" \
  $((rss / 1024))
for i in $(seq "$N"); do java -jar "$JAR" task delete --home "$W/home" "t$i" > /dev/null; done
sleep 1
printf 'receiver processes after deleting every task: %d\n' "$(pgrep -fc "ReceiverMain.*$W/home/transit" || true)"
