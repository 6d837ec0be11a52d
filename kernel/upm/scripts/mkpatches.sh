#!/bin/sh
# Maintainer tool: regenerates kernel/upm/patches/ from an edited tree (kernel/build/upm/dev, a hard-linked
# copy of pristine/ whose edited files were copied first) against kernel/build/upm/pristine.
set -eu
cd "$(dirname "$0")/../.."          # kernel/
B=build/upm
mk() {  # mk NAME "SUBJECT" "BODY" FILE...
  out=upm/patches/$1.patch; subj=$2; body=$3; shift 3
  { printf 'Subject: [PATCH] %s\n\n%s\n---\n' "$subj" "$body"
    for f in "$@"; do
      (cd "$B" && diff -uN --label "a/$f" --label "b/$f" "pristine/$f" "dev/$f") || true
    done; } > "$out"
}
mkdir -p upm/patches
mk 0001-mm-ksm-share-internals-with-upm "mm/ksm: share the stable node and rmap_item with UPM" \
"Move struct ksm_stable_node, struct ksm_rmap_item and the stable-node helpers to mm/ksm_internal.h, and
pass the address down to write_protect_page() and replace_page() (ksm_merge_one_page()), so that UPM can
merge pages that are already KSM pages: page_address_in_vma() cannot place those. ksmd leaves pages whose
stable node is UPM's alone. No functional change for KSM." \
  mm/ksm.c mm/ksm_internal.h
mk 0002-mm-upm-user-guided-page-merging "mm: UPM, synchronous user-guided page merging (MADV_UPM_MERGE)" \
"madvise(addr, len, MADV_UPM_MERGE = 120) merges the resident private anonymous pages of the range, during
the call, with identical pages registered by earlier calls (xxh64 + byte compare, first registrant owns the
shared page, copy-on-write on write, registrations dropped at exit). Merged pages are KSM pages with a UPM
stable node. Counters in /sys/kernel/mm/upm/, a probe in /sys/kernel/debug/upm/, and
CONFIG_UPM_DEBUG_WEAK_HASH (a knob that keeps 8 bits of the hash, for collision tests)." \
  include/uapi/asm-generic/mman-common.h include/linux/sched/coredump.h include/linux/upm.h \
  mm/Kconfig mm/Makefile mm/madvise.c kernel/fork.c mm/upm.c
ls -l upm/patches
