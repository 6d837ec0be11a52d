/* Writing dump format v1 (docs/dump-format.md): preamble, checksummed sections, and a spool that holds a
 * process's PAGE sections until its PROC section (whose status is known only after the walk) is written. */
#ifndef UPM_DUMP_H
#define UPM_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "../common/util.h"

#define SEC_SKIPPABLE 1u
#define MAX_JSON_BODY (16u << 20)

/* Where section bytes go: the output file, or a process's spool. */
struct sink {
	void (*write)(struct sink *s, const void *p, size_t n);
};

struct out_sink {
	struct sink base;
	int fd;
	const char *name; /* for messages */
	struct buf b;
	uint64_t offset;
};

struct spool_sink {
	struct sink base;
	struct buf mem;
	int fd; /* -1 until the spool outgrows memory */
	uint64_t size;
};

void out_init(struct out_sink *o, int fd, const char *name);
void out_flush(struct out_sink *o);

void spool_init(struct spool_sink *s);
/* Appends the spool's content to o and empties the spool. */
void spool_drain(struct spool_sink *s, struct out_sink *o);
void spool_free(struct spool_sink *s);

void write_preamble(struct out_sink *o);
/* Writes one section: header (type, flags, length, XXH64 over header bytes 0..15 + body), body, zero padding
 * to a multiple of 8. */
void write_section(struct sink *s, const char type[4], uint32_t flags, const struct iovec *body, size_t n);

#endif
