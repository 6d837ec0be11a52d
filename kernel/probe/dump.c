#define _GNU_SOURCE
#include "dump.h"
#include "../common/hash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OUT_BUF (1u << 20)
#ifndef SPOOL_MEM_MAX
#define SPOOL_MEM_MAX (64u << 20)
#endif

static void out_write(struct sink *s, const void *p, size_t n)
{
	struct out_sink *o = (struct out_sink *)s;
	if (o->b.len + n > OUT_BUF)
		out_flush(o);
	if (n >= OUT_BUF) {
		int r = write_all(o->fd, p, n);
		if (r)
			diex(1, "writing %s: %s", o->name, strerror(-r));
	} else {
		buf_append(&o->b, p, n);
	}
	o->offset += n;
}

void out_init(struct out_sink *o, int fd, const char *name)
{
	memset(o, 0, sizeof *o);
	o->base.write = out_write;
	o->fd = fd;
	o->name = name;
	buf_reserve(&o->b, OUT_BUF);
}

void out_flush(struct out_sink *o)
{
	if (!o->b.len)
		return;
	int r = write_all(o->fd, o->b.p, o->b.len);
	if (r)
		diex(1, "writing %s: %s", o->name, strerror(-r));
	o->b.len = 0;
}

static int make_tmpfile(void)
{
	const char *dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	struct buf path = { 0 };
	buf_printf(&path, "%s/upm-probe-spool-XXXXXX", dir);
	fd = mkostemp(path.p, O_CLOEXEC);
	if (fd >= 0)
		unlink(path.p);
	else
		diex(1, "cannot create a spool file in %s: %s (set TMPDIR)", dir, strerror(errno));
	buf_free(&path);
	return fd;
}

static void spool_write(struct sink *s, const void *p, size_t n)
{
	struct spool_sink *sp = (struct spool_sink *)s;
	if (sp->fd < 0 && sp->mem.len + n > SPOOL_MEM_MAX) {
		/* A very large process: keep memory bounded by moving its sections to a temporary file. */
		sp->fd = make_tmpfile();
		int r = write_all(sp->fd, sp->mem.p, sp->mem.len);
		if (r)
			diex(1, "writing the spool file: %s", strerror(-r));
		sp->mem.len = 0;
	}
	if (sp->fd >= 0) {
		int r = write_all(sp->fd, p, n);
		if (r)
			diex(1, "writing the spool file: %s", strerror(-r));
	} else {
		buf_append(&sp->mem, p, n);
	}
	sp->size += n;
}

void spool_init(struct spool_sink *s)
{
	memset(s, 0, sizeof *s);
	s->base.write = spool_write;
	s->fd = -1;
}

void spool_drain(struct spool_sink *s, struct out_sink *o)
{
	if (s->fd < 0) {
		if (s->mem.len)
			o->base.write(&o->base, s->mem.p, s->mem.len);
	} else {
		char *chunk = xmalloc(OUT_BUF);
		off_t off = 0;
		for (;;) {
			ssize_t r = pread_full(s->fd, chunk, OUT_BUF, off);
			if (r < 0)
				diex(1, "reading the spool file: %s", strerror((int)-r));
			if (r == 0)
				break;
			o->base.write(&o->base, chunk, (size_t)r);
			off += r;
		}
		free(chunk);
		close(s->fd);
		s->fd = -1;
	}
	s->mem.len = 0;
	s->size = 0;
	/* Give back a large buffer after a large process. */
	if (s->mem.cap > (8u << 20))
		buf_free(&s->mem);
}

void spool_free(struct spool_sink *s)
{
	if (s->fd >= 0)
		close(s->fd);
	buf_free(&s->mem);
	s->fd = -1;
}

static void put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_u32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void write_preamble(struct out_sink *o)
{
	uint8_t p[16] = { 'U', 'P', 'M', 'D', 'U', 'M', 'P', 0 };
	put_u16(p + 8, 1);
	put_u16(p + 10, 0);
	put_u32(p + 12, 0);
	o->base.write(&o->base, p, sizeof p);
}

void write_section(struct sink *s, const char type[4], uint32_t flags, const struct iovec *body, size_t n)
{
	uint64_t len = 0;
	for (size_t i = 0; i < n; i++)
		len += body[i].iov_len;
	uint8_t hdr[24];
	memcpy(hdr, type, 4);
	put_u32(hdr + 4, flags);
	put_u64(hdr + 8, len);
	struct iovec all[8];
	if (n + 1 > sizeof all / sizeof all[0])
		diex(1, "internal error: too many section pieces");
	all[0].iov_base = hdr;
	all[0].iov_len = 16;
	memcpy(all + 1, body, n * sizeof *body);
	put_u64(hdr + 16, checksum_iov(all, n + 1));
	s->write(s, hdr, sizeof hdr);
	for (size_t i = 0; i < n; i++)
		if (body[i].iov_len)
			s->write(s, body[i].iov_base, body[i].iov_len);
	static const uint8_t zeros[8];
	size_t pad = (size_t)((8 - len % 8) % 8);
	if (pad)
		s->write(s, zeros, pad);
}
