#define _GNU_SOURCE
#include "smaps.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool parse_hex(const char **pp, uint64_t *out)
{
	const char *p = *pp;
	uint64_t v = 0;
	int n = 0;
	for (;; p++, n++) {
		unsigned d;
		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (*p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else
			break;
		if (v >> 60)
			return false;
		v = v << 4 | d;
	}
	if (!n)
		return false;
	*out = v;
	*pp = p;
	return true;
}

static bool parse_dec(const char **pp, uint64_t *out)
{
	const char *p = *pp;
	uint64_t v = 0;
	int n = 0;
	for (; *p >= '0' && *p <= '9'; p++, n++) {
		unsigned d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (!n)
		return false;
	*out = v;
	*pp = p;
	return true;
}

/* "start-end perms offset major:minor inode   path". The path is everything after the spaces that follow the
 * inode; it may itself contain spaces (and " (deleted)"); the kernel escapes newlines in it. */
static bool parse_header(const char *line, struct vma *v)
{
	const char *p = line;
	uint64_t dummy;
	memset(v, 0, sizeof *v);
	if (!parse_hex(&p, &v->start) || *p++ != '-' || !parse_hex(&p, &v->end) || *p++ != ' ')
		return false;
	for (int i = 0; i < 4; i++) {
		if (!*p || *p == ' ')
			return false;
		v->perms[i] = *p++;
	}
	if (*p++ != ' ' || !parse_hex(&p, &v->offset) || *p++ != ' ')
		return false;
	if (!parse_hex(&p, &dummy) || *p++ != ':' || !parse_hex(&p, &dummy) || *p++ != ' ')
		return false;
	if (!parse_dec(&p, &v->inode))
		return false;
	while (*p == ' ')
		p++;
	v->path = xstrdup(p);
	return v->end >= v->start;
}

static void vma_free(struct vma *v)
{
	free(v->path);
	free(v->vmflags);
	v->path = v->vmflags = NULL;
}

void vma_list_clear(struct vma_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		vma_free(&l->v[i]);
	l->n = 0;
}

int smaps_read(int procdirfd, struct vma_list *out)
{
	vma_list_clear(out);
	int fd = openat(procdirfd, "smaps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct line_reader lr;
	lr_init(&lr, fd);
	char *line;
	size_t len;
	int r, ret = 0;
	while ((r = lr_next(&lr, &line, &len)) > 0) {
		/* Header lines start with a lowercase hex address; field lines with a capitalised name. */
		if ((line[0] >= '0' && line[0] <= '9') || (line[0] >= 'a' && line[0] <= 'f')) {
			struct vma v;
			if (!parse_header(line, &v)) {
				vma_free(&v);
				ret = -EPROTO;
				break;
			}
			if (out->n == out->cap) {
				out->cap = out->cap ? out->cap * 2 : 64;
				out->v = xrealloc(out->v, out->cap * sizeof *out->v);
			}
			out->v[out->n++] = v;
		} else if (out->n && strncmp(line, "VmFlags:", 8) == 0) {
			const char *f = line + 8;
			while (*f == ' ')
				f++;
			size_t fl = strlen(f);
			while (fl && f[fl - 1] == ' ')
				fl--;
			free(out->v[out->n - 1].vmflags);
			out->v[out->n - 1].vmflags = xstrndup(f, fl);
		}
	}
	if (r < 0)
		ret = r;
	lr_free(&lr);
	close(fd);
	for (size_t i = 0; i < out->n; i++)
		if (!out->v[i].vmflags)
			out->v[i].vmflags = xstrdup("");
	return ret;
}

bool vma_has_flag(const struct vma *v, const char *two)
{
	for (const char *f = v->vmflags; f && f[0] && f[1]; f += 3) {
		if (f[0] == two[0] && f[1] == two[1])
			return true;
		if (f[2] != ' ')
			break;
	}
	return false;
}

enum vma_policy vma_policy(const struct vma *v)
{
	/* Kernel-provided or device memory: its "pages" are not process memory and reading them may have side
	 * effects (I/O mappings) or is meaningless (vvar, vsyscall). */
	if (strcmp(v->path, "[vvar]") == 0 || strcmp(v->path, "[vvar_vclock]") == 0 ||
	    strcmp(v->path, "[vsyscall]") == 0)
		return VMA_SKIP;
	if (vma_has_flag(v, "io") || vma_has_flag(v, "pf"))
		return VMA_SKIP;
	/* Not readable without FOLL_FORCE (PROT_NONE, or write/exec-only): list its resident pages, unhashed. */
	if (v->perms[0] != 'r')
		return VMA_LIST_ONLY;
	return VMA_READ;
}

bool vma_is_file(const struct vma *v)
{
	if (v->inode == 0 || v->path[0] != '/')
		return false;
	/* Shared anonymous memory is backed by shmem inodes that show as these names: still anonymous memory. */
	if (strncmp(v->path, "/dev/zero", 9) == 0 || strncmp(v->path, "/SYSV", 5) == 0)
		return false;
	return true;
}
