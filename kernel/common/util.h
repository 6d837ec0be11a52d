/* Small helpers shared by upm-probe, upm-scenario and upm-vmcopy: checked allocation, a growable byte
 * buffer, whole-file and line-by-line reading of /proc files, and full writes. */
#ifndef UPM_UTIL_H
#define UPM_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define UPM_VERSION "0.1.0"

extern const char *prog_name;

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Prints "prog: message" (and ": strerror(errno)" for the _errno variants) on stderr. */
void warnx_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void diex(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Growable byte buffer; always NUL-terminated after buf_cstr(). */
struct buf {
	char *p;
	size_t len, cap;
};
void buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *data, size_t n);
void buf_putc(struct buf *b, char c);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_zero(struct buf *b, size_t n);
const char *buf_cstr(struct buf *b);
void buf_free(struct buf *b);

/* Reads a whole file (relative to dirfd, or absolute) into b (replacing its content). At most max bytes are kept;
 * *truncated (may be NULL) says whether there was more. Returns 0 or -errno. */
int read_file_at(int dirfd, const char *name, struct buf *b, size_t max, bool *truncated);

/* Line reader over a file descriptor, for files whose size is unknown and possibly large (smaps). Lines may be
 * of any length. The returned line excludes the newline and is NUL-terminated. */
struct line_reader {
	int fd;
	char *data;
	size_t cap, pos, end;
	bool eof;
	struct buf line;
};
void lr_init(struct line_reader *lr, int fd);
/* 1: a line in *line and *len; 0: end of file; -errno on a read error. */
int lr_next(struct line_reader *lr, char **line, size_t *len);
void lr_free(struct line_reader *lr);

/* Writes all n bytes, retrying after EINTR and short writes. Returns 0 or -errno. */
int write_all(int fd, const void *p, size_t n);
/* pread that retries after EINTR and short reads until n bytes, end of file or an error. Returns the bytes read
 * (less than n only at end of file or when an error followed some data) or -errno when nothing was read. */
ssize_t pread_full(int fd, void *p, size_t n, off_t off);

uint64_t now_realtime_ms(void);
double now_mono_s(void);
/* CPU time (user + system) of this process: on shared cores, what a benchmark can compare fairly. */
double cpu_time_s(void);
void sleep_ms(uint64_t ms);

/* Strict unsigned decimal parse of the whole string; false on junk, sign, overflow or empty. */
bool parse_u64(const char *s, uint64_t *out);

/* A bad command-line argument: "<prog_name>: <message>", a hint to run --help, exit status 2. */
_Noreturn void bad_arg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The value of option `opt` as a whole number in [min, max], or bad_arg naming both. */
uint64_t arg_u64(const char *opt, const char *v, uint64_t min, uint64_t max);
/* Strict decimal fraction in [0, 1]. */
bool parse_fraction(const char *s, double *out);

#endif
