#!/usr/bin/env bash
# Free-space skipping of a block cycle on a dirty ext4 partition (issue #12, item 11): a 300 MiB ext4 file
# system, ~250 MiB of incompressible files written through a loop mount, most of them deleted (~100 MiB stay),
# then one block cycle of each smc build into an empty repository, of the partition alone (as /dev/sda1 would be
# read) and of a GPT disk holding it at 1 MiB. Needs root (mount -o loop), mke2fs, sgdisk, python3.
#   benchmarks/ext-free-space.sh WORKDIR JAR [JAR...]
# Prints per block size, source and jar: bytes read and stored (MiB), and the used size dumpe2fs reports.
set -euo pipefail
W=$1; shift
mkdir -p "$W"
mib() { python3 -c "import sys; print('%.1f' % (int(sys.argv[1]) / 1048576))" "$1"; }
field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }
for bs in 1024 4096; do
  img=$W/part-$bs.img
  rm -f "$img"; truncate -s 300M "$img"
  mke2fs -q -F -t ext4 -b "$bs" "$img"
  mnt=$(mktemp -d "$W/mnt.XXXXXX")
  mount -o loop "$img" "$mnt"
  # 40 files of 5 MiB and one of 50 MiB from a fixed seed (250 MiB); every fourth small one stays: 100 MiB
  python3 - "$mnt" <<'PY'
import os, random, sys
r = random.Random(12)
for i in range(40):
    with open(os.path.join(sys.argv[1], "f%02d" % i), "wb") as f:
        f.write(r.randbytes(5 << 20))
with open(os.path.join(sys.argv[1], "keep"), "wb") as f:
    f.write(r.randbytes(50 << 20))
PY
  sync
  for i in $(seq 0 39); do
    if (( i % 4 != 0 )); then rm "$mnt/$(printf 'f%02d' "$i")"; fi
  done
  umount "$mnt"; rmdir "$mnt"
  e2fsck -fn "$img" >/dev/null 2>&1
  used=$(dumpe2fs -h "$img" 2>/dev/null | awk -F: '/^Block count/{c=$2} /^Free blocks/{f=$2} END{print (c-f)}')
  echo "ext4 -b $bs: 300 MiB, $(mib $((used * bs))) MiB used (dumpe2fs)"
  disk=$W/disk-$bs.img
  rm -f "$disk"; truncate -s 302M "$disk"
  sgdisk -o -n 1:2048:+300M -t 1:8300 "$disk" >/dev/null
  dd if="$img" of="$disk" bs=1M seek=1 conv=notrunc,sparse status=none
  for src in "$img" "$disk"; do
    for jar in "$@"; do
      repo=$W/repo-$bs-$(basename "$jar" .jar)
      rm -rf "$repo"
      s=$(date +%s%N)
      java -jar "$jar" migrate --source "$src" --repo "$repo" --image-name part --json > "$W/out.json"
      e=$(date +%s%N)
      echo "  $(basename "$src") $(basename "$jar"): read $(mib "$(field "$W/out.json" bytesRead)") MiB, stored" \
        "$(mib "$(field "$W/out.json" bytesStored)") MiB, blocks free $(field "$W/out.json" blocksFree)" \
        "in $(( (e - s) / 1000000 )) ms"
      rm -rf "$repo"
    done
  done
done
