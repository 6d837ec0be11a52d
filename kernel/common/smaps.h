/* The VMAs of a process, from /proc/PID/smaps (maps header lines plus VmFlags). */
#ifndef UPM_SMAPS_H
#define UPM_SMAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vma {
	uint64_t start, end;
	uint64_t offset; /* file offset in bytes (maps column 3) */
	uint64_t inode;
	char perms[5];
	char *path;    /* "" when anonymous */
	char *vmflags; /* raw two-letter VmFlags, space separated; "" when the kernel has none */
};

struct vma_list {
	struct vma *v;
	size_t n, cap;
};

/* Parses procdirfd/smaps. Returns 0 or -errno; on error the list holds what was parsed so far. */
int smaps_read(int procdirfd, struct vma_list *out);
void vma_list_clear(struct vma_list *l);

bool vma_has_flag(const struct vma *v, const char *two);

enum vma_policy {
	VMA_SKIP,      /* list the VMA only: no pagemap walk (device/kernel-provided memory) */
	VMA_LIST_ONLY, /* walk pagemap, list resident pages, but do not read them (not readable) */
	VMA_READ,      /* walk pagemap and read resident pages */
};
enum vma_policy vma_policy(const struct vma *v);

/* True when the VMA is backed by a file in the "kind" sense of docs/dump-format.md. */
bool vma_is_file(const struct vma *v);

#endif
