#define _GNU_SOURCE
#include "walk.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define PM_PRESENT (1ULL << 63)
#define PM_SWAPPED (1ULL << 62)
#define PM_FILE (1ULL << 61)
#define PM_EXCLUSIVE (1ULL << 56)
#define PM_SOFT_DIRTY (1ULL << 55)
#define PM_PFN_MASK ((1ULL << 55) - 1)

#define KPF_KSM 21
#define KPF_THP 22
#define KPF_ZERO_PAGE 24

/* pagemap entries read per pread: 512 KiB covers 256 MiB of address space. */
#define PM_CHUNK 65536
/* VMAs larger than this many pages are first searched with PAGEMAP_SCAN, so that huge sparse reservations
 * (sanitizer shadows, language-runtime heaps) do not cost a pagemap entry per absent page. */
#define SCAN_MIN_PAGES 16384
#define SCAN_VEC 1024
/* kpageflags entries between two wanted PFNs that are cheaper to read than another pread. Measured on a 6.18
 * guest (docs/benchmarks.md): a pread costs about 1 us of syscall plus up to 1 us for a cold frame, a gap
 * entry 17 to 65 ns; with scattered frames, neither wider gaps nor sorting more pages than a batch paid off. */
#ifndef KPF_GAP
#define KPF_GAP 8
#endif
#define KPF_MAX_SPAN 65536

#ifndef IOV_MAX
#define IOV_MAX 1024
#endif

/* PAGEMAP_SCAN (Linux 6.7) is newer than the uapi headers of some distributions: declare it here. */
#ifndef PAGEMAP_SCAN
#define PAGE_IS_PRESENT (1 << 3)
#define PAGE_IS_SWAPPED (1 << 4)
struct page_region {
	uint64_t start, end, categories;
};
struct pm_scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages, category_inverted, category_mask,
		category_anyof_mask, return_mask;
};
#define PAGEMAP_SCAN _IOWR('f', 16, struct pm_scan_arg)
#endif

static int errno_of_gone(int e)
{
	/* ESRCH: no such process or no mm any more (zombie); ENOENT: its /proc directory is gone. */
	return (e == ESRCH || e == ENOENT) ? -ESRCH : -e;
}

int walker_open(struct walker *w, const struct walk_config *cfg, pid_t pid, int procdirfd)
{
	memset(w, 0, sizeof *w);
	w->cfg = cfg;
	w->pid = pid;
	w->procdirfd = procdirfd;
	w->mem_fd = -1;
	w->scan_ioctl_ok = true;
	w->pagemap_fd = openat(procdirfd, "pagemap", O_RDONLY | O_CLOEXEC);
	if (w->pagemap_fd < 0)
		return errno_of_gone(errno);
	size_t B = cfg->batch_pages;
	w->pm_cap = PM_CHUNK;
	w->pm = xmalloc(w->pm_cap * sizeof *w->pm);
	w->pages = xmalloc(B * sizeof *w->pages);
	void *data;
	if (posix_memalign(&data, cfg->page_size, B * cfg->page_size))
		diex(1, "out of memory (content buffer of %zu bytes)", B * cfg->page_size);
	w->data = data;
	w->liov = xmalloc(IOV_MAX * sizeof *w->liov);
	w->riov = xmalloc(IOV_MAX * sizeof *w->riov);
	w->iov_first = xmalloc(IOV_MAX * sizeof *w->iov_first);
	if (cfg->kpageflags_fd >= 0) {
		w->keys = xmalloc(B * sizeof *w->keys);
		w->keys_tmp = xmalloc(B * sizeof *w->keys_tmp);
		w->kpf_cap = 4096;
		w->kpf = xmalloc(w->kpf_cap * sizeof *w->kpf);
	}
	return 0;
}

void walker_close(struct walker *w)
{
	if (w->pagemap_fd >= 0)
		close(w->pagemap_fd);
	if (w->mem_fd >= 0)
		close(w->mem_fd);
	free(w->pm);
	free(w->pages);
	free(w->data);
	free(w->liov);
	free(w->riov);
	free(w->iov_first);
	free(w->keys);
	free(w->keys_tmp);
	free(w->kpf);
	memset(w, 0, sizeof *w);
	w->pagemap_fd = w->mem_fd = -1;
}

/* LSD radix sort of 64-bit keys, 8 bits a pass, skipping the passes where every key has the same digit. */
static void radix_sort(uint64_t *a, uint64_t *tmp, size_t n, uint64_t max)
{
	for (unsigned shift = 0; shift < 64 && (max >> shift); shift += 8) {
		size_t count[257] = { 0 };
		for (size_t i = 0; i < n; i++)
			count[((a[i] >> shift) & 0xff) + 1]++;
		bool trivial = false;
		for (int d = 1; d <= 256; d++)
			if (count[d] == n)
				trivial = true;
		if (trivial)
			continue;
		for (int d = 1; d <= 256; d++)
			count[d] += count[d - 1];
		for (size_t i = 0; i < n; i++)
			tmp[count[(a[i] >> shift) & 0xff]++] = a[i];
		memcpy(a, tmp, n * sizeof *a);
	}
}

static void set_kpf_bits(struct wpage *p, uint64_t f)
{
	if (f >> KPF_ZERO_PAGE & 1)
		p->flags |= PF_ZERO_PAGE;
	if (f >> KPF_KSM & 1)
		p->flags |= PF_KSM;
	if (f >> KPF_THP & 1)
		p->flags |= PF_THP;
}

/* The reference path (walk_config.kpf_per_page): one pread per page, in page order. */
static void fill_kpageflags_per_page(struct walker *w)
{
	for (size_t i = 0; i < w->npages; i++) {
		struct wpage *p = &w->pages[i];
		if (!(p->flags & PF_PRESENT) || !p->pfn || p->pfn >> 43)
			continue;
		uint64_t f;
		ssize_t r = pread_full(w->cfg->kpageflags_fd, &f, 8, (off_t)(p->pfn * 8));
		w->stats.kpageflags_reads++;
		if (r == 8)
			set_kpf_bits(p, f);
	}
}

/* Sets the kpageflags-derived bits of the batch. PFNs are sorted so that pages close in physical memory are
 * read with one pread: every entry costs the kernel a page lookup, so reads cover only what is wanted plus
 * small gaps. */
static void fill_kpageflags(struct walker *w)
{
	if (w->cfg->kpf_per_page) {
		fill_kpageflags_per_page(w);
		return;
	}
	const unsigned idx_bits = 21; /* batch_pages <= 2^21 */
	size_t nk = 0;
	uint64_t max = 0;
	for (size_t i = 0; i < w->npages; i++) {
		struct wpage *p = &w->pages[i];
		if (!(p->flags & PF_PRESENT) || !p->pfn)
			continue;
		if (p->pfn >> (64 - idx_bits))
			continue; /* beyond 2^43 frames (32 EiB): cannot be a real PFN */
		uint64_t k = p->pfn << idx_bits | i;
		w->keys[nk++] = k;
		if (k > max)
			max = k;
	}
	if (!nk)
		return;
	radix_sort(w->keys, w->keys_tmp, nk, max);
	size_t i = 0;
	while (i < nk) {
		uint64_t first = w->keys[i] >> idx_bits, last = first;
		size_t j = i + 1;
		while (j < nk) {
			uint64_t pfn = w->keys[j] >> idx_bits;
			if (pfn - last > KPF_GAP || pfn - first >= KPF_MAX_SPAN)
				break;
			last = pfn;
			j++;
		}
		size_t span = (size_t)(last - first + 1);
		if (span > w->kpf_cap) {
			w->kpf_cap = span;
			w->kpf = xrealloc(w->kpf, span * sizeof *w->kpf);
		}
		ssize_t r = pread_full(w->cfg->kpageflags_fd, w->kpf, span * 8, (off_t)(first * 8));
		w->stats.kpageflags_reads++;
		size_t got = r > 0 ? (size_t)r / 8 : 0;
		for (size_t k = i; k < j; k++) {
			uint64_t pfn = w->keys[k] >> idx_bits;
			if (pfn - first >= got)
				continue; /* unreadable entry: flags stay unknown (0) */
			set_kpf_bits(&w->pages[w->keys[k] & ((1u << idx_bits) - 1)], w->kpf[pfn - first]);
		}
		i = j;
	}
}

/* Whether a page must be read through /proc/PID/mem. process_vm_readv pins pages with FOLL_PIN, and a
 * read-only pin of an anonymous page that is not exclusive to this mapping makes the kernel unshare it first
 * (a copy-on-write fault): it would split pages shared with a fork parent and break KSM merges, i.e. change
 * the target. /proc/PID/mem takes plain references and never unshares, at about half the speed. */
static bool needs_mem(const struct walker *w, const struct wpage *p, bool vma_mergeable)
{
	switch (w->cfg->mode) {
	case READ_VM:
		return false;
	case READ_MEM:
		return true;
	case READ_AUTO:
		break;
	}
	if (p->flags & PF_FILE)
		return false; /* page cache or shmem: never unshared by a pin */
	if (!(p->flags & PF_EXCLUSIVE))
		return true; /* anonymous and mapped more than once (fork COW, KSM, zero page) */
	/* A KSM page mapped only here is still not "anon exclusive" and would be copied. Without kpageflags,
	 * any page of a mergeable VMA may be a KSM page. */
	if (w->cfg->kpageflags_fd >= 0)
		return (p->flags & PF_KSM) != 0;
	return vma_mergeable;
}

static void mark_failed(struct walker *w, size_t i)
{
	w->pages[i].state = PS_READ_FAILED;
	w->stats.pages_failed++;
}

static void fail_pending(struct walker *w, size_t from, bool via_mem)
{
	for (size_t i = from; i < w->npages; i++)
		if (w->pages[i].state == PS_TO_READ && w->pages[i].via_mem == via_mem)
			mark_failed(w, i);
}

static bool queued(const struct wpage *p, bool via_mem)
{
	return p->state == PS_TO_READ && p->via_mem == via_mem;
}

static int read_vm(struct walker *w, const struct vma *v)
{
	const size_t ps = w->cfg->page_size;
	size_t i = 0;
	while (i < w->npages) {
		if (!queued(&w->pages[i], false)) {
			i++;
			continue;
		}
		/* Up to IOV_MAX runs of consecutive pages; local and remote iovecs have equal lengths. */
		size_t niov = 0, j = i, total = 0;
		while (j < w->npages && niov < IOV_MAX) {
			if (!queued(&w->pages[j], false)) {
				j++;
				continue;
			}
			size_t k = j + 1;
			while (k < w->npages && queued(&w->pages[k], false) &&
			       w->pages[k].index == w->pages[k - 1].index + 1)
				k++;
			w->liov[niov].iov_base = w->data + j * ps;
			w->liov[niov].iov_len = (k - j) * ps;
			w->riov[niov].iov_base = (void *)(uintptr_t)(v->start + w->pages[j].index * ps);
			w->riov[niov].iov_len = (k - j) * ps;
			w->iov_first[niov] = (uint32_t)j;
			total += (k - j) * ps;
			niov++;
			j = k;
		}
		ssize_t got = process_vm_readv(w->pid, w->liov, niov, w->riov, niov, 0);
		w->stats.read_calls++;
		if (got < 0) {
			int e = errno;
			if (e == ESRCH || e == EPERM || e == EACCES) {
				fail_pending(w, i, false);
				return e == ESRCH ? -ESRCH : -e;
			}
			if (e == EINTR)
				continue;
			/* EFAULT: the first page could not be read (unmapped or reclaimed since pagemap); go on after it. */
			mark_failed(w, w->iov_first[0]);
			i = w->iov_first[0] + 1;
			continue;
		}
		size_t ok_pages = (size_t)got / ps, stop = j;
		for (size_t r = 0; r < niov; r++) {
			size_t n = w->liov[r].iov_len / ps, first = w->iov_first[r];
			if (ok_pages >= n) {
				for (size_t p = 0; p < n; p++)
					w->pages[first + p].state = PS_READ_OK;
				ok_pages -= n;
				w->stats.pages_read_vm += n;
				continue;
			}
			for (size_t p = 0; p < ok_pages; p++)
				w->pages[first + p].state = PS_READ_OK;
			w->stats.pages_read_vm += ok_pages;
			mark_failed(w, first + ok_pages);
			stop = first + ok_pages + 1;
			break;
		}
		(void)total;
		i = stop;
	}
	return 0;
}

static int read_mem(struct walker *w, const struct vma *v)
{
	const size_t ps = w->cfg->page_size;
	size_t i = 0;
	while (i < w->npages) {
		if (!queued(&w->pages[i], true)) {
			i++;
			continue;
		}
		size_t k = i + 1;
		while (k < w->npages && queued(&w->pages[k], true) && w->pages[k].index == w->pages[k - 1].index + 1)
			k++;
		if (w->mem_fd < 0) {
			w->mem_fd = openat(w->procdirfd, "mem", O_RDONLY | O_CLOEXEC);
			if (w->mem_fd < 0) {
				int e = errno;
				fail_pending(w, i, true);
				return errno_of_gone(e);
			}
		}
		ssize_t got = pread_full(w->mem_fd, w->data + i * ps, (k - i) * ps,
					 (off_t)(v->start + w->pages[i].index * ps));
		w->stats.read_calls++;
		if (got == 0) {
			/* /proc/PID/mem reads nothing once the address space is gone. */
			fail_pending(w, i, true);
			return -ESRCH;
		}
		if (got < 0 && (got == -EPERM || got == -EACCES)) {
			fail_pending(w, i, true);
			return (int)got;
		}
		size_t ok = got > 0 ? (size_t)got / ps : 0;
		for (size_t p = i; p < i + ok; p++)
			w->pages[p].state = PS_READ_OK;
		w->stats.pages_read_mem += ok;
		if (i + ok < k) {
			mark_failed(w, i + ok); /* EIO: unmapped or reclaimed since pagemap; go on after it */
			i = i + ok + 1;
		} else {
			i = k;
		}
	}
	return 0;
}

static int flush(struct walker *w, size_t vma_index, const struct vma *v, enum vma_policy pol, bool mergeable,
		 walk_batch_fn fn, void *ctx)
{
	if (!w->npages)
		return 0;
	if (w->cfg->kpageflags_fd >= 0)
		fill_kpageflags(w);
	bool any_vm = false, any_mem = false;
	for (size_t i = 0; i < w->npages; i++) {
		struct wpage *p = &w->pages[i];
		p->hash = 0;
		p->via_mem = 0;
		if (!(p->flags & PF_PRESENT) || pol != VMA_READ) {
			p->state = PS_NOT_READ;
		} else if ((p->flags & PF_ZERO_PAGE) && w->cfg->skip_zero_page) {
			p->state = PS_ZERO_PAGE;
		} else {
			p->state = PS_TO_READ;
			p->via_mem = needs_mem(w, p, mergeable);
			if (p->via_mem)
				any_mem = true;
			else
				any_vm = true;
		}
	}
	int ret = 0;
	if (any_vm)
		ret = read_vm(w, v);
	if (any_mem && ret == 0)
		ret = read_mem(w, v);
	if (ret) {
		fail_pending(w, 0, false);
		fail_pending(w, 0, true);
	}
	w->stats.pages_listed += w->npages;
	fn(ctx, vma_index, v, w->pages, w->npages, w->data);
	w->npages = 0;
	return ret;
}

/* Lists the present/swapped pages of [a, b) (inside v) into the batch, flushing when it is full. */
static int walk_range(struct walker *w, size_t vma_index, const struct vma *v, enum vma_policy pol, bool mergeable,
		      uint64_t a, uint64_t b, walk_batch_fn fn, void *ctx)
{
	const size_t ps = w->cfg->page_size;
	while (a < b) {
		size_t n = (size_t)((b - a) / ps);
		if (n > w->pm_cap)
			n = w->pm_cap;
		ssize_t r = pread_full(w->pagemap_fd, w->pm, n * 8, (off_t)(a / ps * 8));
		if (r < 0)
			return errno_of_gone((int)-r);
		if ((size_t)r < n * 8)
			return -ESRCH; /* pagemap reads nothing once the address space is gone */
		for (size_t i = 0; i < n; i++) {
			uint64_t e = w->pm[i];
			if (!(e & (PM_PRESENT | PM_SWAPPED)))
				continue;
			struct wpage *p = &w->pages[w->npages++];
			p->index = (a - v->start) / ps + i;
			p->pfn = (e & PM_PRESENT) ? (e & PM_PFN_MASK) : 0; /* a swap entry is not a frame */
			p->flags = (uint8_t)(((e & PM_PRESENT) ? PF_PRESENT : 0) | ((e & PM_SWAPPED) ? PF_SWAPPED : 0) |
					     ((e & PM_FILE) ? PF_FILE : 0) | ((e & PM_EXCLUSIVE) ? PF_EXCLUSIVE : 0) |
					     ((e & PM_SOFT_DIRTY) ? PF_SOFT_DIRTY : 0));
			if (w->npages == w->cfg->batch_pages) {
				int ret = flush(w, vma_index, v, pol, mergeable, fn, ctx);
				if (ret)
					return ret;
			}
		}
		a += (uint64_t)n * ps;
	}
	return 0;
}

int walker_vma(struct walker *w, size_t vma_index, const struct vma *v, walk_batch_fn fn, void *ctx)
{
	enum vma_policy pol = vma_policy(v);
	if (pol == VMA_SKIP || v->end <= v->start)
		return 0;
	const size_t ps = w->cfg->page_size;
	bool mergeable = vma_has_flag(v, "mg");
	int ret = 0;
	w->npages = 0;
	if ((v->end - v->start) / ps >= SCAN_MIN_PAGES && w->scan_ioctl_ok) {
		struct page_region vec[SCAN_VEC];
		uint64_t a = v->start;
		while (a < v->end && ret == 0) {
			struct pm_scan_arg arg = {
				.size = sizeof arg,
				.start = a,
				.end = v->end,
				.vec = (uint64_t)(uintptr_t)vec,
				.vec_len = SCAN_VEC,
				.category_anyof_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED,
				.return_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED,
			};
			int n = ioctl(w->pagemap_fd, PAGEMAP_SCAN, &arg);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				if (errno == ENOTTY || errno == EINVAL || errno == EOPNOTSUPP) {
					w->scan_ioctl_ok = false; /* older kernel: read the whole range */
					ret = walk_range(w, vma_index, v, pol, mergeable, a, v->end, fn, ctx);
					break;
				}
				ret = errno_of_gone(errno);
				break;
			}
			for (int i = 0; i < n && ret == 0; i++) {
				uint64_t s = vec[i].start < v->start ? v->start : vec[i].start;
				uint64_t e = vec[i].end > v->end ? v->end : vec[i].end;
				if (s < e)
					ret = walk_range(w, vma_index, v, pol, mergeable, s, e, fn, ctx);
			}
			if (arg.walk_end <= a)
				break; /* no progress: the VMA is gone */
			a = arg.walk_end;
		}
	} else {
		ret = walk_range(w, vma_index, v, pol, mergeable, v->start, v->end, fn, ctx);
	}
	int fret = flush(w, vma_index, v, pol, mergeable, fn, ctx);
	return ret ? ret : fret;
}
