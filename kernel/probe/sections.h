/* Builds PAGE sections from walk batches: hashes each batch, groups pages into runs, splits blocks that
 * grow past MAX_SECTION_PAGES or past 32-bit run offsets, and writes them to a sink. */
#ifndef UPM_SECTIONS_H
#define UPM_SECTIONS_H

#include "../common/hash.h"
#include "../common/walk.h"
#include "dump.h"

#define MAX_SECTION_PAGES (1u << 20)

struct page_sections {
	struct sink *out;
	const struct page_hasher *hasher;
	size_t page_size;
	bool pfn_readable, flags_readable;
	/* the open block */
	bool open;
	uint32_t vma_index;
	uint64_t base, last_index, max_pfn;
	size_t n, nruns, cap, runs_cap;
	uint32_t *runs; /* (offset, length) pairs */
	uint64_t *hashes, *pfns;
	uint32_t *pfn32;
	uint8_t *flags;
	/* totals */
	uint64_t sections, pages, resident;
};

void ps_init(struct page_sections *s, struct sink *out, const struct page_hasher *h, size_t page_size,
	     bool pfn_readable, bool flags_readable);
/* walk_batch_fn: ctx is a struct page_sections. */
void ps_on_batch(void *ctx, size_t vma_index, const struct vma *v, struct wpage *pages, size_t n,
		 const uint8_t *data);
/* Writes the open block, if any. */
void ps_flush(struct page_sections *s);
void ps_free(struct page_sections *s);

#endif
