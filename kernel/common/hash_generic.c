#include "hash.h"
#define HASH_BATCH_NAME hash_batch_generic
#include "hash_impl.h"
