#!/bin/sh
# Boots kernel/build/upm/bzImage in QEMU (TCG) with a busybox initramfs holding upm-test, upm-scenario and
# upm-probe (static), and checks the UPMTEST lines of the serial console.
# Artifacts in kernel/build/upm/results/: console.log, upmtest.jsonl, conform.txt, summary.json.
#   UPM_STRESS_SECONDS (default 60), UPM_TESTS (default all), UPM_QEMU_TIMEOUT (default 900 s)
#   UPM_VARIANT=fast: boot bzImage-fast, results in results-fast/
set -eu
cd "$(dirname "$0")/../.."          # kernel/
B=build/upm
R=$B/results
IMAGE=$B/bzImage
if [ "${UPM_VARIANT:-test}" = fast ]; then R=$B/results-fast; IMAGE=$B/bzImage-fast; fi
T=$B/tools
I=$B/initramfs
mkdir -p "$R" "$T"

# static user-space tools, in their own build directory (make -C kernel static would wipe build/)
make -s B="$T" STATIC=1 "$T/upm-probe" "$T/upm-scenario"
gcc -O2 -std=gnu11 -Wall -Wextra -Werror -static -o "$T/upm-test" upm/tests/upm-test.c

rm -rf "$I"
mkdir -p "$I/bin" "$I/etc"
cp /bin/busybox "$I/bin/busybox"
cp "$T/upm-test" "$T/upm-probe" "$T/upm-scenario" "$I/bin/"
cp upm/initramfs/init "$I/init"
echo "${UPM_STRESS_SECONDS:-60}" > "$I/etc/upm-stress-seconds"
echo "${UPM_TESTS:-all}" > "$I/etc/upm-tests"
(cd "$I" && find . | cpio -o -H newc --quiet) > "$B/initramfs.cpio"

echo "upm: booting QEMU (TCG, 2 CPUs, 1 GiB)"
start=$(date +%s)
rc=0
timeout "${UPM_QEMU_TIMEOUT:-900}" qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m 1024 \
  -kernel "$IMAGE" -initrd "$B/initramfs.cpio" \
  -append "console=ttyS0 loglevel=3 panic=-1" \
  -display none -monitor none -serial stdio -no-reboot < /dev/null > "$R/console.log" 2>&1 || rc=$?
secs=$(( $(date +%s) - start ))
tr -d '\r' < "$R/console.log" > "$R/console.txt"
grep '^UPMTEST ' "$R/console.txt" | sed 's/^UPMTEST //' > "$R/upmtest.jsonl" || true
sed -n '/^UPMCONFORM-BEGIN$/,/^UPMCONFORM-END$/p' "$R/console.txt" | sed '1d;$d' | base64 -d > "$R/conform.txt" 2>/dev/null || true
done_=false; grep -q '^UPMDONE$' "$R/console.txt" && done_=true
passed=$(grep -c '"pass":true' "$R/upmtest.jsonl" || true)
failed=$(grep -c '"pass":false' "$R/upmtest.jsonl" || true)
printf '{"qemuExit":%d,"seconds":%d,"completed":%s,"passed":%d,"failed":%d}\n' "$rc" "$secs" "$done_" "$passed" "$failed" > "$R/summary.json"
cat "$R/upmtest.jsonl"
echo "upm: QEMU ran $secs s, exit $rc; $passed passed, $failed failed; complete: $done_"
if [ "$done_" != true ]; then
  echo "upm: the run did not complete (timeout or crash); last console lines:" >&2
  tail -40 "$R/console.txt" >&2
  exit 1
fi
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ] || { sed -n '/^UPMDMESG-BEGIN$/,/^UPMDMESG-END$/p' "$R/console.txt" | tail -60 >&2; exit 1; }
