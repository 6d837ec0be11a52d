/* Body of the batch hash loop; included by hash_generic.c and hash_avx2.c (compiled with -mavx2), each
 * defining HASH_BATCH_NAME. Header-only xxHash: no libxxhash.a needed for static builds. */
#define XXH_INLINE_ALL
#include <xxhash.h>

void HASH_BATCH_NAME(const uint8_t *secret, struct wpage *pages, size_t n, const uint8_t *data, size_t page_size,
		     uint64_t zero_hash)
{
	for (size_t i = 0; i < n; i++) {
		struct wpage *p = &pages[i];
		if (p->state == PS_READ_OK) {
			uint64_t h = XXH3_64bits_withSecret(data + i * page_size, page_size, secret, HASH_SECRET_SIZE);
			p->hash = h ? h : 1; /* 0 means "not hashed" in the dump */
		} else if (p->state == PS_ZERO_PAGE) {
			p->hash = zero_hash;
		} else {
			p->hash = 0;
		}
	}
}
