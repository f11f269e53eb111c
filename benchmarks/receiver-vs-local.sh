#!/usr/bin/env bash
# A full file-level cycle of the benchmark tree into a local-folder repository and through a
# receiver on loopback (HTTPS, pinned certificate, token), alternating run by run, page cache
# dropped before each run (as compare.py does for full copies). The receiver is started once and
# kept, as a transit instance is across cycles; one untimed run of each warms the receiver's JIT.
# Prints each run and the medians; the ratio is local time / receiver time (speed of the receiver
# path relative to the local folder). Then the same in one long-running agent JVM (ReceiverVsLocal,
# from benchmarks/target/benchmarks.jar), as an embedding program or smc serve runs cycles.
#
# usage: benchmarks/receiver-vs-local.sh [RUNS] [TREE] [JAR]   (root: it drops the page cache)
set -euo pipefail
RUNS=${1:-3}
TREE=${2:-/tmp/smc-bench/gen/tree}
JAR=${3:-smc-examples/target/smc.jar}
W=$(mktemp -d /tmp/smc-rvl.XXXXXX)
cp "$JAR" "$W/smc.jar"
TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
echo "$TOKEN" > "$W/token"
: > "$W/tokens"
java -jar "$W/smc.jar" receiver --root "$W/root" --listen 127.0.0.1:0 --cert-dir "$W/certs" --tokens "$W/tokens" \
  --ready-file "$W/ready" > "$W/receiver.log" 2>&1 &
RPID=$!
trap 'kill $RPID 2>/dev/null; wait $RPID 2>/dev/null; rm -rf "$W"' EXIT
for _ in $(seq 100); do [ -s "$W/ready" ] && break; sleep 0.1; done
read -r PORT PIN < "$W/ready"
run() { # kind n -> seconds
  local kind=$1 n=$2 repo
  sync; echo 3 > /proc/sys/vm/drop_caches
  if [ "$kind" = local ]; then
    repo="$W/local$n"; args=()
  else
    echo "r$n $TOKEN" >> "$W/tokens"  # counts from the receiver's next request
    repo="https://127.0.0.1:$PORT/r$n"; args=(--token-file "$W/token" --pin "$PIN")
  fi
  local t0 t1
  t0=$(date +%s.%N)
  java -jar "$W/smc.jar" migrate --source "$TREE" --repo "$repo" "${args[@]}" --image-name bench --json > /dev/null
  t1=$(date +%s.%N)
  rm -rf "$W/local$n" "$W/root/r$n"
  echo "$t1 - $t0" | bc
}
run local 0 > /dev/null; run https 0 > /dev/null   # warm-up, not counted
L=(); H=()
for i in $(seq "$RUNS"); do
  l=$(run local "$i"); h=$(run https "$i")
  printf 'run %d: local %.2f s, receiver %.2f s\n' "$i" "$l" "$h"
  L+=("$l"); H+=("$h")
done
med() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ml=$(med "${L[@]}"); mh=$(med "${H[@]}")
printf 'median (a new agent JVM each run, as the CLI): local %.2f s, receiver %.2f s, receiver speed = %.2fx local\n' \
  "$ml" "$mh" "$(echo "$ml / $mh" | bc -l)"
# the same in one long-running agent (an embedding program, smc serve): the data path without a JVM's warm-up
BENCH=${BENCH_JAR:-benchmarks/target/benchmarks.jar}
if [ -f "$BENCH" ]; then
  for i in $(seq 0 "$RUNS"); do echo "rw-$i $TOKEN" >> "$W/tokens"; done
  java -cp "$BENCH" dev.smc.benchmarks.net.ReceiverVsLocal "$TREE" "$W" "https://127.0.0.1:$PORT/rw" "$TOKEN" "$PIN" \
    "$RUNS" "$W/root" 2>&1 | grep -v SLF4J
fi
