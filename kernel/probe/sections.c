#include "sections.h"

#include <stdlib.h>
#include <string.h>

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the PAGE section columns are written in host order: port the writer for big-endian hosts"
#endif

void ps_init(struct page_sections *s, struct sink *out, const struct page_hasher *h, size_t page_size,
	     bool pfn_readable, bool flags_readable)
{
	memset(s, 0, sizeof *s);
	s->out = out;
	s->hasher = h;
	s->page_size = page_size;
	s->pfn_readable = pfn_readable;
	s->flags_readable = flags_readable;
}

void ps_free(struct page_sections *s)
{
	free(s->runs);
	free(s->hashes);
	free(s->pfns);
	free(s->pfn32);
	free(s->flags);
	memset(s, 0, sizeof *s);
}

void ps_flush(struct page_sections *s)
{
	if (!s->open)
		return;
	uint8_t hdr[24] = { 0 };
	uint8_t width = !s->pfn_readable ? 0 : s->max_pfn > UINT32_MAX ? 8 : 4;
	uint32_t nr = (uint32_t)(s->nruns), cnt = (uint32_t)s->n;
	memcpy(hdr + 0, &s->vma_index, 4);
	memcpy(hdr + 4, &cnt, 4);
	memcpy(hdr + 8, &s->base, 8);
	memcpy(hdr + 16, &nr, 4);
	hdr[20] = width;
	struct iovec body[5];
	size_t nb = 0;
	body[nb++] = (struct iovec){ hdr, sizeof hdr };
	body[nb++] = (struct iovec){ s->runs, s->nruns * 8 };
	body[nb++] = (struct iovec){ s->hashes, s->n * 8 };
	if (width == 8) {
		body[nb++] = (struct iovec){ s->pfns, s->n * 8 };
	} else if (width == 4) {
		for (size_t i = 0; i < s->n; i++)
			s->pfn32[i] = (uint32_t)s->pfns[i];
		body[nb++] = (struct iovec){ s->pfn32, s->n * 4 };
	}
	body[nb++] = (struct iovec){ s->flags, s->n };
	write_section(s->out, "PAGE", 0, body, nb);
	s->sections++;
	s->pages += s->n;
	s->open = false;
	s->n = s->nruns = 0;
	s->max_pfn = 0;
}

static void grow(struct page_sections *s)
{
	size_t cap = s->cap ? s->cap * 2 : 4096;
	if (cap > MAX_SECTION_PAGES)
		cap = MAX_SECTION_PAGES;
	s->hashes = xrealloc(s->hashes, cap * sizeof *s->hashes);
	s->pfns = xrealloc(s->pfns, cap * sizeof *s->pfns);
	s->pfn32 = xrealloc(s->pfn32, cap * sizeof *s->pfn32);
	s->flags = xrealloc(s->flags, cap);
	s->cap = cap;
}

void ps_on_batch(void *ctx, size_t vma_index, const struct vma *v, struct wpage *pages, size_t n,
		 const uint8_t *data)
{
	(void)v;
	struct page_sections *s = ctx;
	hash_batch(s->hasher, pages, n, data, s->page_size);
	const uint8_t flag_mask = s->flags_readable ? 0xff : (uint8_t) ~(PF_ZERO_PAGE | PF_KSM | PF_THP);
	for (size_t i = 0; i < n; i++) {
		const struct wpage *p = &pages[i];
		if (s->open && (s->vma_index != vma_index || s->n == MAX_SECTION_PAGES ||
				p->index - s->base >= UINT32_MAX))
			ps_flush(s);
		if (!s->open) {
			s->open = true;
			s->vma_index = (uint32_t)vma_index;
			s->base = p->index;
		}
		if (s->n == s->cap)
			grow(s);
		if (s->nruns && p->index == s->last_index + 1) {
			s->runs[2 * (s->nruns - 1) + 1]++;
		} else {
			if (s->nruns == s->runs_cap) {
				s->runs_cap = s->runs_cap ? s->runs_cap * 2 : 256;
				s->runs = xrealloc(s->runs, s->runs_cap * 2 * sizeof *s->runs);
			}
			s->runs[2 * s->nruns] = (uint32_t)(p->index - s->base);
			s->runs[2 * s->nruns + 1] = 1;
			s->nruns++;
		}
		s->last_index = p->index;
		uint64_t pfn = s->pfn_readable ? p->pfn : 0;
		if (pfn > s->max_pfn)
			s->max_pfn = pfn;
		s->hashes[s->n] = p->hash;
		s->pfns[s->n] = pfn;
		s->flags[s->n] = p->flags & flag_mask;
		if (p->flags & PF_PRESENT)
			s->resident++;
		s->n++;
	}
}
