#!/usr/bin/env bash
# benchmarks/receiver-cpu.sh RECEIVER_JAR AGENT_JAR LABEL RUNS [TREE]: one receiver JVM (from RECEIVER_JAR),
# RUNS+1 full cycles of TREE through it by agents from AGENT_JAR, page cache dropped before each (root);
# the first is a warm-up. Per run: wall seconds and the receiver's CPU seconds (utime+stime); at the end its
# peak resident memory (VmHWM). Compares two receiver builds with the same agent.
set -euo pipefail
RJ=$1; AJ=$2; L=$3; RUNS=$4; TREE=${5:-/tmp/smc-bench/gen/tree}
W=$(mktemp -d /tmp/smc-cpu.XXXXXX)
TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'); echo "$TOKEN" > $W/token
: > $W/tokens; for i in $(seq 0 $RUNS); do echo "r$i $TOKEN" >> $W/tokens; done
java -jar $RJ receiver --root $W/root --listen 127.0.0.1:0 --cert-dir $W/certs --tokens $W/tokens --ready-file $W/ready > $W/log 2>&1 &
RP=$!
trap 'kill $RP 2>/dev/null; wait $RP 2>/dev/null; rm -rf $W' EXIT
for _ in $(seq 100); do [ -s $W/ready ] && break; sleep 0.1; done
read -r PORT PIN < $W/ready
cpu() { awk '{print $14+$15}' /proc/$RP/stat; }
for i in $(seq 0 $RUNS); do
  sync; echo 3 > /proc/sys/vm/drop_caches
  c0=$(cpu); t0=$(date +%s.%N)
  java -jar $AJ migrate --source $TREE --repo https://127.0.0.1:$PORT/r$i --token-file $W/token --pin $PIN --image-name bench --json > /dev/null
  t1=$(date +%s.%N); c1=$(cpu)
  rm -rf $W/root/r$i
  [ $i -gt 0 ] && printf '%s run %d: wall %.2f s, receiver CPU %.2f s\n' $L $i $(echo "$t1 - $t0" | bc) $(echo "($c1 - $c0)/100" | bc -l)
done
echo "$L receiver VmHWM $(awk '/VmHWM/{print $2}' /proc/$RP/status) KiB"
