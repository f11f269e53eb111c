#!/usr/bin/env bash
# A/B of two smc builds on the no-change and the incremental cycle, alternating run by run so that a drifting
# machine hits both alike. Uses the tree compare.py generates (DATA/gen/tree; run compare.py once to make it).
#   benchmarks/ab-cycles.sh DATA OLD.jar NEW.jar [NOOP_PAIRS] [INCR_PAIRS]
# Prints one line a run ("noop|incr old|new SECONDS"), then medians and the paired difference.
set -euo pipefail
D=$1; OLD=$2; NEW=$3; N=${4:-20}; M=${5:-9}
BENCH=$(cd "$(dirname "$0")/../../shared/bench" && pwd)
W=$(mktemp -d "$D/ab.XXXXXX"); trap 'rm -rf "$W"' EXIT
out=$W/runs.txt
reset() { mkdir -p "$W/live"; rsync -a --delete "$D/gen/tree/" "$W/live/tree/"; }
cycle() { java -jar "$1" migrate --source "$W/live/tree" --repo "$W/$2" --image-name bench >/dev/null; }
timed() { local s e; s=$(date +%s%N); cycle "$1" "$2"; e=$(date +%s%N); echo "$3 $2 $(( (e - s) / 1000000 ))" | tee -a "$out"; }
reset
cycle "$OLD" old; cycle "$NEW" new
for _ in $(seq 1 "$N"); do timed "$OLD" old noop; timed "$NEW" new noop; done
for _ in $(seq 1 "$M"); do
  reset; cycle "$OLD" old; cycle "$NEW" new
  "$BENCH/mutate.sh" -g 1 -t "$W/live/tree" >/dev/null
  timed "$OLD" old incr; timed "$NEW" new incr
done
python3 - "$out" <<'PY'
import statistics, sys, collections
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    kind, build, ms = line.split()
    runs[(kind, build)].append(int(ms) / 1000)
for kind in ("noop", "incr"):
    o, n = runs[(kind, "old")], runs[(kind, "new")]
    d = [b - a for a, b in zip(o, n)]
    print("%s: old %.3f s (min %.3f), new %.3f s (min %.3f), new - old paired median %+.3f s (sd %.3f, n %d)" % (
        kind, statistics.median(o), min(o), statistics.median(n), min(n), statistics.median(d),
        statistics.stdev(d) if len(d) > 1 else 0, len(d)))
PY
