#!/bin/sh
# Boots kernel/build/upm/bzImage in QEMU (TCG, 2 CPUs, 2 GiB) with the Python initramfs
# (python-initramfs.sh) and keeps the console in build/upm/results-functions/console.txt. mem-merge=off: the
# guest RAM is not registered with the host KSM (whose counters are system-wide and used by other tests).
#   UPM_QEMU_TIMEOUT (default 1800 s), UPM_FUNCTIONS_NS (default "1 2 4")
set -eu
cd "$(dirname "$0")/../.."          # kernel/
B=build/upm
R=$B/results-functions
mkdir -p "$R"
sh upm/scripts/python-initramfs.sh
echo "upm: booting QEMU (TCG, 2 CPUs, 2 GiB) with Python"
start=$(date +%s)
rc=0
timeout "${UPM_QEMU_TIMEOUT:-1800}" qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m 2048 -machine mem-merge=off \
  -kernel "$B/bzImage" -initrd "$B/pyinitramfs.cpio" \
  -append "console=ttyS0 loglevel=3 panic=-1" \
  -display none -monitor none -serial stdio -no-reboot < /dev/null > "$R/console.log" 2>&1 || rc=$?
tr -d '\r' < "$R/console.log" > "$R/console.txt"
secs=$(( $(date +%s) - start ))
done_=false; grep -q '^UPMFN-DONE$' "$R/console.txt" && done_=true
printf '{"qemuExit":%d,"seconds":%d,"completed":%s}\n' "$rc" "$secs" "$done_" > "$R/summary.json"
echo "upm: QEMU ran $secs s, exit $rc; complete: $done_"
[ "$done_" = true ] || { tail -40 "$R/console.txt" >&2; exit 1; }
