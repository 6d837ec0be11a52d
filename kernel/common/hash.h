/* Keyed page hashing: XXH3-64 with a 192-byte secret derived from the key (docs/dump-format.md). The hot loop
 * is compiled twice, for baseline x86-64 (SSE2) and for AVX2, and picked at run time. */
#ifndef UPM_HASH_H
#define UPM_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "walk.h"

#define HASH_SECRET_SIZE 192
#define KEY_ID_SEED 0x55504d4bULL /* "UPMK" */

typedef void (*hash_batch_fn)(const uint8_t *secret, struct wpage *pages, size_t n, const uint8_t *data,
			      size_t page_size, uint64_t zero_hash);

struct page_hasher {
	uint8_t secret[HASH_SECRET_SIZE];
	uint64_t zero_hash; /* hash of a zero-filled page */
	hash_batch_fn batch;
	const char *impl;
};

/* Returns 0, or -1 when the key cannot make a secret. */
int hasher_init(struct page_hasher *h, const void *key, size_t key_len, size_t page_size);
uint64_t key_id(const void *key, size_t key_len);
/* XXH64 with seed 0, for section checksums. */
uint64_t checksum64(const void *data, size_t len);

/* Sets pages[i].hash for every page: the content hash (0 mapped to 1) for PS_READ_OK, zero_hash for
 * PS_ZERO_PAGE, 0 otherwise. */
static inline void hash_batch(const struct page_hasher *h, struct wpage *pages, size_t n, const uint8_t *data,
			      size_t page_size)
{
	h->batch(h->secret, pages, n, data, page_size, h->zero_hash);
}

void hash_batch_generic(const uint8_t *secret, struct wpage *pages, size_t n, const uint8_t *data, size_t page_size,
			uint64_t zero_hash);
#if defined(__x86_64__)
void hash_batch_avx2(const uint8_t *secret, struct wpage *pages, size_t n, const uint8_t *data, size_t page_size,
		     uint64_t zero_hash);
#endif

#include <sys/uio.h>
/* XXH64, seed 0, over the concatenation of the pieces. */
uint64_t checksum_iov(const struct iovec *iov, size_t n);

#endif
