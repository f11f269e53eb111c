#!/usr/bin/env bash
# Makes compat/repo-OLD.tar.gz: a repository written by an earlier build of smc, and the two source trees it
# holds as cycles 1 and 2, for OldRepositoryRestoresTest (the current build must restore both exactly).
# usage (root, for owners, a device-free tree and xattrs): make-fixture.sh OLD_SMC_JAR COMMIT OUT_TAR
set -euo pipefail
JAR=$1; COMMIT=$2; OUT=$3
W=$(mktemp -d /tmp/smc-fixture.XXXXXX)
trap 'rm -rf "$W"' EXIT
S=$W/src
stamp() { touch -h -d "$2" "$1"; }
mkdir -p "$S/docs/deep/er" "$S/private" "$S/shared"
chmod 0700 "$S/private"; chmod 2775 "$S/shared"
python3 - "$S" <<'PY'
import os, random, sys
s = sys.argv[1]; r = random.Random(42)
open(f"{s}/random.bin", "wb").write(bytes(r.getrandbits(8) for _ in range(120_000)))
open(f"{s}/docs/text.txt", "w").write("".join(f"line {i} of a text that compresses well\n" for i in range(4000)))
open(f"{s}/docs/deep/er/copy-of-random.bin", "wb").write(open(f"{s}/random.bin", "rb").read())
open(f"{s}/empty", "wb").close()
with open(f"{s}/sparse", "wb") as f:
    f.seek(3 << 20); f.write(b"end of a sparse file\n")
open(f"{s}/naïve name with spaces", "w").write("unicode name\n")
open(f"{s}/private/secret", "w").write("0640, another owner\n")
PY
chown 1000:1000 "$S/private/secret"; chmod 0640 "$S/private/secret"
ln "$S/docs/text.txt" "$S/shared/hardlink-to-text"
ln -s ../random.bin "$S/docs/link-to-random"
ln -s does-not-exist "$S/dangling"
mkfifo "$S/shared/fifo"
setfattr -n user.smc.note -v "an extended attribute" "$S/random.bin"
for p in "$S/random.bin" "$S/docs/text.txt" "$S/empty" "$S/sparse" "$S/private/secret" "$S/shared/fifo" \
    "$S/docs/link-to-random" "$S/dangling" "$S/naïve name with spaces" "$S/docs/deep/er/copy-of-random.bin"; do
  stamp "$p" "2021-03-04 05:06:07.123456789 UTC"
done
stamp "$S/docs/deep/er" "2020-01-02 03:04:05.987654321 UTC"; stamp "$S/docs/deep" "2020-01-02 03:04:06 UTC"
snapshot() { tar --sparse --xattrs --xattrs-include='user.*' --numeric-owner -C "$S" -cf "$W/src-$1.tar" .; }
smc() { java -jar "$JAR" "$@"; }
snapshot 1
smc migrate --source "$S" --repo "$W/repo" --image-name old >/dev/null
# cycle 2: a changed, an added, a removed, a renamed file and a changed mode
printf 'changed in cycle 2\n' >> "$S/docs/text.txt"; stamp "$S/docs/text.txt" "2022-05-06 07:08:09.5 UTC"
printf 'added in cycle 2\n' > "$S/docs/added"; stamp "$S/docs/added" "2022-05-06 07:08:10 UTC"
rm "$S/empty"; mv "$S/naïve name with spaces" "$S/docs/renamed"; chmod 0600 "$S/random.bin"
stamp "$S/docs" "2022-05-06 07:08:11 UTC"; stamp "$S" "2022-05-06 07:08:12 UTC"
snapshot 2
smc migrate --source "$S" --repo "$W/repo" --image-name old >/dev/null
echo "$COMMIT" > "$W/WRITTEN-BY"
tar --numeric-owner -C "$W" -czf "$OUT" WRITTEN-BY repo src-1.tar src-2.tar
echo "wrote $OUT: $(du -h "$OUT" | cut -f1), images: $(smc images --repo "$W/repo" | tail -n +2 | wc -l)"
