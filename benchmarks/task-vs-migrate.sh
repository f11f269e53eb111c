#!/usr/bin/env bash
# A task's cycles through the home's shared receiver against plain `smc migrate` into a local folder, each a
# new CLI process as an operator or cron runs them, alternating run by run (issue #12, item 8: at most 1.1x).
# One keeper task holds a transit first, so the receiver already runs, as it does for every task but the first
# on a machine with tasks (the receiver's start, ~1 s, is paid once per machine, not once per task or cycle).
#   full: `smc task create --repo R` of a one-time task (a full cycle into a new repository R, through the
#         receiver, which serves R beside the home's repository) against `smc migrate --repo L` (a new folder L).
#   no-change: `smc task sync` of an incremental task against `smc migrate` of the same image name again.
# The tree is only read. With DROP=1 (root) the page cache is dropped before every full run.
#
# usage: benchmarks/task-vs-migrate.sh [RUNS] [TREE] [JAR]
set -euo pipefail
RUNS=${1:-3}
TREE=${2:-/tmp/smc-bench/gen/tree}
JAR=${3:-smc-examples/target/smc.jar}
W=$(mktemp -d /tmp/smc-tvm.XXXXXX)
cp "$JAR" "$W/smc.jar"
smc() { java -jar "$W/smc.jar" "$@"; }
H="$W/home"
cleanup() { smc task delete --home "$H" keeper > /dev/null 2>&1 || true; smc task delete --home "$H" inc > /dev/null 2>&1 || true; rm -rf "$W"; }
trap cleanup EXIT
mkdir -p "$W/small/etc" && echo keep > "$W/small/etc/keep.conf"
smc task create --home "$H" --name keeper --source "$W/small" --image-name keeper --incremental --interval 24h \
  --max-images 1 > /dev/null
secs() { local t0 t1; t0=$(date +%s.%N); "$@" > /dev/null; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }
drop() { if [ "${DROP:-0}" = 1 ]; then sync; echo 3 > /proc/sys/vm/drop_caches; fi; }
full() { # kind n
  drop
  if [ "$1" = migrate ]; then
    secs smc migrate --source "$TREE" --repo "$W/l$2" --image-name bench
  else
    secs smc task create --home "$H" --repo "$W/t$2" --name "b$2" --source "$TREE" --image-name "b$2"
  fi
}
med() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
full migrate 0 > /dev/null; full task 0 > /dev/null   # warm-up, not counted
M=(); T=()
for i in $(seq "$RUNS"); do
  m=$(full migrate "$i"); t=$(full task "$i")
  printf 'full run %d: migrate %.2f s, task %.2f s\n' "$i" "$m" "$t"
  M+=("$m"); T+=("$t"); rm -rf "$W/l$i" "$W/t$i"
done
mm=$(med "${M[@]}"); mt=$(med "${T[@]}")
printf 'full, median: migrate %.2f s, task through the receiver %.2f s, task / migrate = %.2fx\n' "$mm" "$mt" \
  "$(echo "$mt / $mm" | bc -l)"
# no-change cycles: both repositories hold the tree's image already
smc migrate --source "$TREE" --repo "$W/l0" --image-name inc > /dev/null
smc task create --home "$H" --repo "$W/t0" --name inc --source "$TREE" --image-name inc --incremental \
  --interval 24h --max-images 10 > /dev/null
M=(); T=()
for i in $(seq "$RUNS"); do
  m=$(secs smc migrate --source "$TREE" --repo "$W/l0" --image-name inc)
  t=$(secs smc task sync --home "$H" --repo "$W/t0" inc)
  printf 'no-change run %d: migrate %.2f s, task sync %.2f s\n' "$i" "$m" "$t"
  M+=("$m"); T+=("$t")
done
mm=$(med "${M[@]}"); mt=$(med "${T[@]}")
printf 'no-change, median: migrate %.2f s, task sync %.2f s, task / migrate = %.2fx\n' "$mm" "$mt" \
  "$(echo "$mt / $mm" | bc -l)"
printf 'receiver processes of the home now: %s\n' "$(pgrep -f "ReceiverMain.*$H/transit" | wc -l)"
