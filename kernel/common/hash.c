#include "hash.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#if XXH_VERSION_NUMBER < 801
#error "xxHash 0.8.1 or newer is needed (XXH3_generateSecret with a secret size); apt-get install libxxhash-dev"
#endif

int hasher_init(struct page_hasher *h, const void *key, size_t key_len, size_t page_size)
{
	memset(h, 0, sizeof *h);
	if (XXH3_generateSecret(h->secret, sizeof h->secret, key, key_len) != XXH_OK)
		return -1;
	h->batch = hash_batch_generic;
	h->impl = "sse2";
#if defined(__x86_64__)
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx2")) {
		h->batch = hash_batch_avx2;
		h->impl = "avx2";
	}
#endif
	uint8_t *zero = xcalloc(1, page_size);
	uint64_t z = XXH3_64bits_withSecret(zero, page_size, h->secret, sizeof h->secret);
	free(zero);
	h->zero_hash = z ? z : 1;
	return 0;
}

uint64_t key_id(const void *key, size_t key_len)
{
	return XXH64(key, key_len, KEY_ID_SEED);
}

uint64_t checksum64(const void *data, size_t len)
{
	return XXH64(data, len, 0);
}

uint64_t checksum_iov(const struct iovec *iov, size_t n)
{
	XXH64_state_t st;
	XXH64_reset(&st, 0);
	for (size_t i = 0; i < n; i++)
		XXH64_update(&st, iov[i].iov_base, iov[i].iov_len);
	return XXH64_digest(&st);
}
