#!/bin/sh
# Builds kernel/build/upm/pyinitramfs.cpio: the UPM test guest's busybox initramfs plus Debian's Python 3.11
# and numpy copied from this host (the interpreter, the standard library without tests/idle/tk, lib-dynload,
# numpy, and every shared library that ldd names for them), the validation functions of
# scripts/validation/functions/, their inputs (build/cache/functions: upm_wait.so, data.npy), static
# upm-probe, and kernel/upm/initramfs/init-functions as /init. Cached: rebuilt when an input is newer.
#   UPM_FUNCTIONS_NS (default "1 2 4"): the N values the guest runs, written to /etc/upm-functions-ns
set -eu
cd "$(dirname "$0")/../.."          # kernel/
ROOT=$(cd .. && pwd)
B=build/upm
T=$B/tools
P=$B/pyroot
OUT=$B/pyinitramfs.cpio
CACHE=$ROOT/build/cache/functions
mkdir -p "$T"
sh "$ROOT/scripts/validation/functions/build.sh" "$CACHE" numpy >/dev/null
make -s B="$T" STATIC=1 "$T/upm-probe"
NS=${UPM_FUNCTIONS_NS:-1 2 4}
stamp="$NS $(cat upm/initramfs/init-functions upm/scripts/python-initramfs.sh "$ROOT"/scripts/validation/functions/*.py | sha256sum | cut -c1-16)"
if [ -f "$OUT" ] && [ "$(cat "$OUT.stamp" 2>/dev/null)" = "$stamp" ] && [ "$OUT" -nt "$T/upm-probe" ] && [ "$OUT" -nt "$CACHE/upm_wait.so" ]; then
  echo "upm: $OUT is up to date"; exit 0
fi
rm -rf "$P"
mkdir -p "$P/bin" "$P/etc" "$P/lib64" "$P/usr/lib/python3/dist-packages" "$P/fn/cache"
cp /bin/busybox "$P/bin/busybox"
cp "$T/upm-probe" "$P/bin/"
cp upm/initramfs/init-functions "$P/init"
chmod +x "$P/init"
echo "$NS" > "$P/etc/upm-functions-ns"
# the interpreter, the standard library and numpy
cp -L /usr/bin/python3.11 "$P/bin/python3"
tar -C / --exclude='python3.11/test' --exclude='python3.11/idlelib' --exclude='python3.11/tkinter' \
  --exclude='python3.11/lib2to3' --exclude='python3.11/ensurepip' --exclude='python3.11/turtledemo' \
  --exclude='python3.11/pydoc_data' --exclude='python3.11/unittest/test' -cf - usr/lib/python3.11 | tar -C "$P" -xf -
tar -C / --exclude='tests' -cf - usr/lib/python3/dist-packages/numpy | tar -C "$P" -xf -
# every shared library ldd finds for them, at the same path, plus the dynamic loader
libs=$( (ldd /usr/bin/python3.11; find /usr/lib/python3.11/lib-dynload /usr/lib/python3/dist-packages/numpy -name '*.so' -exec ldd {} \;) 2>/dev/null \
  | awk '/=> \//{print $3} /^\t\/lib64/{print $1}' | sort -u)
for l in $libs; do
  mkdir -p "$P$(dirname "$l")"
  cp -L "$l" "$P$l"
done
# Debian's BLAS/LAPACK alternatives resolve to OpenBLAS: ldd above gave the resolved files at the link names
cp -L /lib64/ld-linux-x86-64.so.2 "$P/lib64/"
cp "$ROOT"/scripts/validation/functions/*.py "$P/fn/"
cp "$CACHE/upm_wait.so" "$CACHE/data.npy" "$P/fn/cache/"
(cd "$P" && find . | cpio -o -H newc --quiet) > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "$stamp" > "$OUT.stamp"
echo "upm: $OUT ready ($(du -m "$OUT" | cut -f1) MiB)"
