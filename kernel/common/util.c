#define _GNU_SOURCE
#include "util.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *prog_name = "upm";

static _Noreturn void oom(size_t n)
{
	fprintf(stderr, "%s: out of memory (allocating %zu bytes)\n", prog_name, n);
	exit(1);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom(n * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

/* "prog: message" on stderr, without the line end (the callers add theirs). */
static void vmessage(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", prog_name);
	vfprintf(stderr, fmt, ap);
}

void warnx_(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void diex(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

void bad_arg(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help'.\n", prog_name);
	exit(2);
}

uint64_t arg_u64(const char *opt, const char *v, uint64_t min, uint64_t max)
{
	uint64_t x;
	if (!parse_u64(v, &x) || x < min || x > max)
		bad_arg("%s: '%s' is not a whole number from %" PRIu64 " to %" PRIu64, opt, v, min, max);
	return x;
}

void buf_reserve(struct buf *b, size_t extra)
{
	if (extra > SIZE_MAX - b->len - 1)
		oom(SIZE_MAX);
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	b->p = xrealloc(b->p, cap);
	b->cap = cap;
}

void buf_append(struct buf *b, const void *data, size_t n)
{
	buf_reserve(b, n);
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
}

void buf_putc(struct buf *b, char c)
{
	buf_reserve(b, 1);
	b->p[b->len++] = c;
}

void buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char small[128];
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof small) {
		buf_append(b, small, (size_t)n);
		return;
	}
	buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void buf_zero(struct buf *b, size_t n)
{
	buf_reserve(b, n);
	memset(b->p + b->len, 0, n);
	b->len += n;
}

const char *buf_cstr(struct buf *b)
{
	buf_reserve(b, 0);
	b->p[b->len] = 0;
	return b->p;
}

void buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

int read_file_at(int dirfd, const char *name, struct buf *b, size_t max, bool *truncated)
{
	b->len = 0;
	if (truncated)
		*truncated = false;
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int ret = 0;
	for (;;) {
		if (b->len >= max) {
			char c;
			ssize_t r = read(fd, &c, 1);
			if (r > 0 && truncated)
				*truncated = true;
			break;
		}
		size_t want = max - b->len < 65536 ? max - b->len : 65536;
		buf_reserve(b, want);
		ssize_t r = read(fd, b->p + b->len, want);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		if (r == 0)
			break;
		b->len += (size_t)r;
	}
	close(fd);
	buf_cstr(b);
	return ret;
}

void lr_init(struct line_reader *lr, int fd)
{
	memset(lr, 0, sizeof *lr);
	lr->fd = fd;
	lr->cap = 1 << 16;
	lr->data = xmalloc(lr->cap);
}

int lr_next(struct line_reader *lr, char **line, size_t *len)
{
	lr->line.len = 0;
	for (;;) {
		char *nl = lr->pos < lr->end ? memchr(lr->data + lr->pos, '\n', lr->end - lr->pos) : NULL;
		if (nl) {
			size_t n = (size_t)(nl - (lr->data + lr->pos));
			buf_append(&lr->line, lr->data + lr->pos, n);
			lr->pos += n + 1;
			break;
		}
		buf_append(&lr->line, lr->data + lr->pos, lr->end - lr->pos);
		lr->pos = lr->end = 0;
		if (lr->eof) {
			if (lr->line.len == 0)
				return 0;
			break;
		}
		ssize_t r = read(lr->fd, lr->data, lr->cap);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			lr->eof = true;
		lr->end = (size_t)r;
	}
	buf_cstr(&lr->line);
	*line = lr->line.p;
	*len = lr->line.len;
	return 1;
}

void lr_free(struct line_reader *lr)
{
	free(lr->data);
	buf_free(&lr->line);
	lr->data = NULL;
}

int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

ssize_t pread_full(int fd, void *p, size_t n, off_t off)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = pread(fd, (char *)p + got, n - got, off + (off_t)got);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (got)
				break;
			return -errno;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

uint64_t now_realtime_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

double now_mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double cpu_time_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void sleep_ms(uint64_t ms)
{
	struct timespec ts = { .tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L };
	/* A signal ends the sleep early on purpose: callers re-check their stop flag. */
	nanosleep(&ts, NULL);
}

bool parse_u64(const char *s, uint64_t *out)
{
	if (!s || !*s)
		return false;
	uint64_t v = 0;
	for (const char *c = s; *c; c++) {
		if (*c < '0' || *c > '9')
			return false;
		unsigned d = (unsigned)(*c - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

bool parse_fraction(const char *s, double *out)
{
	if (!s || !*s)
		return false;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < 0 || v > 1)
		return false;
	*out = v;
	return true;
}
