#!/usr/bin/env bash
# A task's cycles against plain `smc migrate` of the same tree (issue #12, item 8): the full cycle, an
# incremental cycle after mutate.sh's ~1 % change, and a no-change cycle, each as the CLI runs it (a new JVM).
# The task's repository is a local folder, so every task cycle goes over HTTPS through the home's receiver (the
# local transit instance). A keeper task (a one-file source) runs first, untimed, so the receiver already serves, as
# it does for every task but a machine's first (its start, ~1 s, is paid once per home, not per task or cycle);
# each run has a new home and repositories, so no run dedups against another's data. Runs alternate which of the
# two goes first; the page cache is dropped before every timed command (root).
#
# usage: benchmarks/task-vs-migrate.sh [RUNS] [TREE] [JAR]
#   TREE: the tree gen-dataset.sh makes (scale 1: 2.2 GB, 62 391 files; compare.py keeps it in DATA/gen/tree)
# Prints each timed command, then the medians and task / migrate for each kind of cycle.
set -euo pipefail
RUNS=${1:-3}
TREE=${2:-/tmp/smc-bench/gen/tree}
JAR=${3:-smc-examples/target/smc.jar}
BENCH=${BENCH:-$(cd "$(dirname "$0")/../../shared/bench" 2>/dev/null && pwd || echo /work/shared/bench)}
W=$(mktemp -d /tmp/smc-tvm.XXXXXX)
cp "$JAR" "$W/smc.jar"
out=$W/runs.txt
drop_home() { # deleting the tasks releases their transits, and the last one stops the receiver
  [ -d "$W/home" ] || return 0
  for t in bench-task keeper; do java -jar "$W/smc.jar" task delete $t --home "$W/home" >/dev/null 2>&1 || true; done
  rm -rf "$W/home" "$W/trepo" "$W/plain"
}
cleanup() { drop_home; rm -rf "$W"; }
trap cleanup EXIT
smc() { java -jar "$W/smc.jar" "$@" >/dev/null; }
timed() { # KIND WHO COMMAND...
  local kind=$1 who=$2 s e
  shift 2
  sync; echo 3 > /proc/sys/vm/drop_caches
  s=$(date +%s%N); "$@"; e=$(date +%s%N)
  echo "$kind $who $(( (e - s) / 1000000 ))" | tee -a "$out"
}
plain() { smc migrate --source "$W/live" --repo "$W/plain" --image-name bench; }
task_full() {
  smc task create --home "$W/home" --repo "$W/trepo" --name bench-task --image-name bench --source "$W/live" \
    --incremental --interval 1h --max-images 10
}
task_sync() { smc task sync bench-task --home "$W/home"; }
mkdir -p "$W/keeper"; echo keep > "$W/keeper/file"
for i in $(seq "$RUNS"); do
  drop_home; rm -rf "$W/live"; cp -a "$TREE" "$W/live"
  smc task create --home "$W/home" --repo "$W/trepo" --name keeper --image-name keeper --source "$W/keeper" \
    --incremental --interval 1d --max-images 1
  if (( i % 2 )); then
    timed full migrate plain; timed full task task_full
  else
    timed full task task_full; timed full migrate plain
  fi
  "$BENCH/mutate.sh" -g 1 -t "$W/live" >/dev/null
  if (( i % 2 )); then
    timed incr migrate plain; timed incr task task_sync; timed noop migrate plain; timed noop task task_sync
  else
    timed incr task task_sync; timed incr migrate plain; timed noop task task_sync; timed noop migrate plain
  fi
  echo "receivers alive between cycles: $(pgrep -fc 'dev.smc.transfer.remote.ReceiverMain.*'"$W" || true)" >&2
done
python3 - "$out" <<'PY'
import statistics, sys, collections
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    kind, who, ms = line.split()
    runs[(kind, who)].append(int(ms) / 1000)
for kind in ("full", "incr", "noop"):
    m, t = runs[(kind, "migrate")], runs[(kind, "task")]
    print("%s: migrate %.2f s (%s), task %.2f s (%s), task / migrate %.2fx" % (kind, statistics.median(m),
        " ".join("%.2f" % x for x in m), statistics.median(t), " ".join("%.2f" % x for x in t),
        statistics.median(t) / statistics.median(m)))
PY
