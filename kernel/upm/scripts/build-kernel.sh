#!/bin/sh
# Builds kernel/build/upm/bzImage: Debian's linux-source-6.12 + kernel/upm/patches, tinyconfig + upm.config.
# Cached: the pristine extraction, the patched tree (redone when the patches change, as hard links to the
# pristine files except those patched) and the object directory (incremental rebuilds).
#   UPM_VARIANT=fast   the same without upm.config's debug block (DEBUG_VM, lockdep, KASAN):
#                      build/upm/obj-fast, build/upm/bzImage-fast (for timings)
set -eu
cd "$(dirname "$0")/../.."          # kernel/
B=build/upm
TAR=/usr/src/linux-source-6.12.tar.xz
JOBS=${UPM_JOBS:-2}
mkdir -p "$B"

if [ ! -f "$B/pristine/.extracted" ]; then
  echo "upm: extracting $TAR"
  rm -rf "$B/pristine" "$B/linux-source-6.12"
  tar -C "$B" -xf "$TAR"
  mv "$B/linux-source-6.12" "$B/pristine"
  touch "$B/pristine/.extracted"
fi

sum=$(cat upm/patches/*.patch upm/upm.config | sha256sum | cut -c1-16)
if [ "$(cat "$B/src/.upm-patches" 2>/dev/null)" != "$sum" ]; then
  echo "upm: applying $(ls upm/patches/*.patch | wc -l) patches"
  rm -rf "$B/src.new"
  cp -al "$B/pristine" "$B/src.new"
  files=$(sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' upm/patches/*.patch | sort -u)
  # patch(1) must not write through a hard link into the pristine tree: give patched files their own copy
  for f in $files; do
    if [ -f "$B/src.new/$f" ]; then cp "$B/src.new/$f" "$B/src.new/$f.upm-tmp" && mv -f "$B/src.new/$f.upm-tmp" "$B/src.new/$f"; fi
  done
  for p in upm/patches/*.patch; do patch -d "$B/src.new" -p1 --quiet --no-backup-if-mismatch < "$p"; done
  # a file whose patched content did not change keeps its old time, so that only what changed is rebuilt
  for f in $files; do
    if [ -f "$B/src/$f" ] && cmp -s "$B/src/$f" "$B/src.new/$f"; then touch -r "$B/src/$f" "$B/src.new/$f"; fi
  done
  rm -rf "$B/src"
  mv "$B/src.new" "$B/src"
  echo "$sum" > "$B/src/.upm-patches"
fi

OBJ=$B/obj
IMAGE=$B/bzImage
CONFIG=upm/upm.config
if [ "${UPM_VARIANT:-test}" = fast ]; then
  OBJ=$B/obj-fast
  IMAGE=$B/bzImage-fast
  mkdir -p "$OBJ"
  sed '/^# debug-begin/,/^# debug-end/d' upm/upm.config > "$OBJ/upm-fast.config"
  CONFIG=$OBJ/upm-fast.config
fi
mkdir -p "$OBJ"
if [ "$(cat "$OBJ/.upm-config" 2>/dev/null)" != "$sum" ]; then
  echo "upm: configuring (tinyconfig + $CONFIG)"
  make -s -C "$B/src" O="$(pwd)/$OBJ" ARCH=x86_64 tinyconfig >/dev/null
  "$B/src/scripts/kconfig/merge_config.sh" -m -O "$OBJ" "$OBJ/.config" "$CONFIG" >/dev/null
  make -s -C "$B/src" O="$(pwd)/$OBJ" ARCH=x86_64 olddefconfig >/dev/null
  missing=""
  for o in $(sed -n 's/^\(CONFIG_[A-Z0-9_]*\)=y$/\1/p' "$CONFIG"); do
    grep -q "^$o=y" "$OBJ/.config" || missing="$missing $o"
  done
  [ -z "$missing" ] || { echo "upm: the configuration lacks:$missing" >&2; exit 1; }
  echo "$sum" > "$OBJ/.upm-config"
fi

echo "upm: building $IMAGE (-j$JOBS)"
start=$(date +%s)
make -s -C "$B/src" O="$(pwd)/$OBJ" ARCH=x86_64 -j"$JOBS" bzImage
cp "$OBJ/arch/x86/boot/bzImage" "$IMAGE"
echo "upm: $IMAGE ready in $(( $(date +%s) - start )) s"
