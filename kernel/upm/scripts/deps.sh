#!/bin/sh
# Installs the Debian packages the UPM kernel build and its QEMU tests need, only those missing.
# Exit 3 (and say what is missing) when they are missing and cannot be installed.
set -u
need=""
[ -f /usr/src/linux-source-6.12.tar.xz ] || need="$need linux-source-6.12"
for c in flex:flex bison:bison bc:bc cpio:cpio xz:xz-utils gcc:gcc make:make perl:perl \
         qemu-system-x86_64:qemu-system-x86; do
  command -v "${c%%:*}" >/dev/null 2>&1 || need="$need ${c#*:}"
done
[ -x /bin/busybox ] && file -L /bin/busybox 2>/dev/null | grep -q static || \
  { dpkg -s busybox-static >/dev/null 2>&1 || need="$need busybox-static"; }
[ -f /usr/include/libelf.h ] || need="$need libelf-dev"
[ -f /usr/include/openssl/ssl.h ] || need="$need libssl-dev"
[ -f /usr/include/xxhash.h ] || need="$need libxxhash-dev"
command -v file >/dev/null 2>&1 || need="$need file"
[ -z "$need" ] && exit 0
echo "upm: installing:$need"
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }
if as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null 2>&1 ||
   { as_root apt-get update -qq >/dev/null 2>&1 &&
     as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null 2>&1; }; then
  exit 0
fi
echo "upm: MISSING and not installable (apt-get install -y$need failed):$need" >&2
exit 3
