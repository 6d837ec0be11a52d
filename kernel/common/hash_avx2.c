/* Compiled with -mavx2; only called when the CPU has AVX2. */
#include "hash.h"
#define HASH_BATCH_NAME hash_batch_avx2
#include "hash_impl.h"
