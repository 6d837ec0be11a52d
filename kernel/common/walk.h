/* The page walk shared by upm-probe and upm-vmcopy: for each VMA, find the resident (and swapped) pages from
 * /proc/PID/pagemap, optionally their /proc/kpageflags bits, and copy the present pages' contents in large
 * batches, never touching a page that pagemap did not report present. */
#ifndef UPM_WALK_H
#define UPM_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "smaps.h"

/* Per-page flags byte of the dump format (docs/dump-format.md). */
enum {
	PF_PRESENT = 1 << 0,
	PF_SWAPPED = 1 << 1,
	PF_FILE = 1 << 2,
	PF_EXCLUSIVE = 1 << 3,
	PF_ZERO_PAGE = 1 << 4,
	PF_KSM = 1 << 5,
	PF_THP = 1 << 6,
	PF_SOFT_DIRTY = 1 << 7,
};

enum page_state {
	PS_NOT_READ,    /* not to be read: swapped, or in a VMA that is not readable */
	PS_TO_READ,     /* internal: queued for reading */
	PS_READ_OK,     /* content is in the batch buffer */
	PS_READ_FAILED, /* present, but the read failed (raced with unmap/reclaim, or the process exited) */
	PS_ZERO_PAGE,   /* the kernel's zero page (known from kpageflags): content is zeros, not read */
};

enum read_mode {
	READ_AUTO, /* process_vm_readv where it cannot change the target, /proc/PID/mem elsewhere */
	READ_VM,   /* process_vm_readv for every page (upm-vmcopy's baseline; may unshare COW and KSM pages) */
	READ_MEM,  /* /proc/PID/mem for every page */
};

struct wpage {
	uint64_t index; /* page index within the VMA */
	uint64_t pfn;   /* 0 = unknown */
	uint64_t hash;  /* filled in by the batch consumer */
	uint8_t flags;  /* PF_* */
	uint8_t state;  /* enum page_state */
	uint8_t via_mem;
};

struct walk_config {
	size_t page_size;
	size_t batch_pages;   /* pages per batch; the content buffer is batch_pages * page_size bytes */
	int kpageflags_fd;    /* -1 when page flags are not readable */
	enum read_mode mode;
	bool skip_zero_page;  /* with kpageflags: do not read the zero page (its content is known) */
	bool kpf_per_page;    /* one kpageflags pread per page, unsorted: the reference for tests */
};

struct walk_stats {
	uint64_t pages_listed;   /* present or swapped pages handed to the consumer */
	uint64_t pages_read_vm;  /* read with process_vm_readv */
	uint64_t pages_read_mem; /* read through /proc/PID/mem */
	uint64_t pages_failed;
	uint64_t read_calls;
	uint64_t kpageflags_reads;
};

/* Called with each batch of pages of one VMA, in increasing index order. Page i's content is at
 * data + i * page_size when pages[i].state == PS_READ_OK. */
typedef void (*walk_batch_fn)(void *ctx, size_t vma_index, const struct vma *v, struct wpage *pages, size_t n,
			      const uint8_t *data);

struct walker {
	const struct walk_config *cfg;
	pid_t pid;
	int procdirfd;
	int pagemap_fd;
	int mem_fd;
	bool scan_ioctl_ok;
	uint64_t *pm;
	size_t pm_cap;
	struct wpage *pages;
	size_t npages;
	uint8_t *data;
	struct iovec *liov, *riov;
	uint32_t *iov_first;
	uint64_t *keys, *keys_tmp, *kpf;
	size_t kpf_cap;
	struct walk_stats stats;
};

/* Opens procdirfd/pagemap. Returns 0 or -errno. */
int walker_open(struct walker *w, const struct walk_config *cfg, pid_t pid, int procdirfd);
/* Walks one VMA. Returns 0; -ESRCH when the process went away; -EPERM/-EACCES when reading is not allowed;
 * another -errno for an unexpected failure. Pages handed over before an error stay valid. */
int walker_vma(struct walker *w, size_t vma_index, const struct vma *v, walk_batch_fn fn, void *ctx);
void walker_close(struct walker *w);

#endif
