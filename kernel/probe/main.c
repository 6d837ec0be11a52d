/* upm-probe: records, for every resident page of the target processes, a keyed hash of its content and what
 * the kernel knows about it, as a page-hash dump (docs/dump-format.md). It only reads: no ptrace stops, no
 * writes to the targets, and no access to a page that pagemap does not report present. See docs/probe.md. */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "../common/hash.h"
#include "../common/json.h"
#include "../common/smaps.h"
#include "../common/util.h"
#include "../common/walk.h"
#include "dump.h"
#include "sections.h"

/* The public default key: anyone can recompute hashes made with it (tests only). */
static const char DEFAULT_KEY[] = "upm-probe default public key v1";
#define MAX_KEY_FILE (1u << 20)
#define MIN_KEY_LEN 16
#define MAX_CMDLINE (1u << 20)
/* The largest start/end address that JSON numbers carry exactly. */
#define MAX_SAFE_ADDR (1ULL << 53)

struct label {
	char *key, *value;
};

struct options {
	pid_t *pids;
	size_t npids;
	char **cgroups;
	size_t ncgroups;
	regex_t *matches;
	size_t nmatches;
	struct label *labels;
	size_t nlabels;
	const char *output;
	const char *key_file;
	uint64_t interval_ms;
	uint64_t count;
	bool stats;
	enum read_mode mode;
	size_t batch_pages;
};

struct totals {
	uint64_t snapshots, processes, page_sections, pages;
	uint64_t procs_read, procs_unreadable;
	struct walk_stats ws;
};

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	stop_requested = 1;
	signal(sig, SIG_DFL); /* a second signal ends the probe at once */
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: upm-probe TARGET... [OPTION]...\n"
		"Write a page-hash dump (docs/dump-format.md) of the resident pages of processes.\n"
		"\n"
		"Targets (at least one; they add up):\n"
		"  --pid PID          a process (repeatable)\n"
		"  --cgroup DIR       every process in DIR/cgroup.procs, re-read each snapshot (repeatable)\n"
		"  --match REGEX      processes whose command line (arguments joined by spaces) matches the POSIX\n"
		"                     extended REGEX; never the probe itself nor kernel threads (repeatable)\n"
		"\n"
		"Options:\n"
		"  -o, --output FILE  write the dump to FILE (mode 0600); default stdout, which must not be a terminal\n"
		"  --label K=V        add a label to the dump header (repeatable)\n"
		"  --key-file FILE    hashing key: the bytes of FILE (16 bytes to 1 MiB); default: the public test key\n"
		"  --interval MS      milliseconds between snapshot starts (default 1000)\n"
		"  --count N          number of snapshots (default 1)\n"
		"  --read MODE        auto (default): process_vm_readv where it cannot change the target, /proc/PID/mem\n"
		"                     for pages shared copy-on-write or by KSM; mem: /proc/PID/mem for every page\n"
		"  --batch-pages N    pages copied and hashed per batch (default 512: 2 MiB stays in cache)\n"
		"  --stats            print throughput statistics as one JSON line on stderr\n"
		"  --help             show this help\n"
		"  --version          show the version\n"
		"\n"
		"Exit status: 0 when at least one target was read, 1 when none could be (or on a write error),\n"
		"2 for bad arguments.\n");
}

static void parse_args(int argc, char **argv, struct options *o)
{
	enum { O_PID = 256, O_CGROUP, O_MATCH, O_LABEL, O_KEY, O_INTERVAL, O_COUNT, O_STATS, O_READ, O_BATCH,
	       O_HELP, O_VERSION };
	static const struct option longopts[] = {
		{ "pid", required_argument, 0, O_PID },
		{ "cgroup", required_argument, 0, O_CGROUP },
		{ "match", required_argument, 0, O_MATCH },
		{ "label", required_argument, 0, O_LABEL },
		{ "output", required_argument, 0, 'o' },
		{ "key-file", required_argument, 0, O_KEY },
		{ "interval", required_argument, 0, O_INTERVAL },
		{ "count", required_argument, 0, O_COUNT },
		{ "stats", no_argument, 0, O_STATS },
		{ "read", required_argument, 0, O_READ },
		{ "batch-pages", required_argument, 0, O_BATCH },
		{ "help", no_argument, 0, O_HELP },
		{ "version", no_argument, 0, O_VERSION },
		{ 0, 0, 0, 0 },
	};
	memset(o, 0, sizeof *o);
	o->interval_ms = 1000;
	o->count = 1;
	o->mode = READ_AUTO;
	o->batch_pages = 512;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":o:", longopts, NULL)) != -1) {
		switch (c) {
		case O_PID: {
			uint64_t p = arg_u64("--pid", optarg, 1, 4194304);
			o->pids = xrealloc(o->pids, (o->npids + 1) * sizeof *o->pids);
			o->pids[o->npids++] = (pid_t)p;
			break;
		}
		case O_CGROUP: {
			struct buf path = { 0 };
			buf_printf(&path, "%s/cgroup.procs", optarg);
			if (access(buf_cstr(&path), R_OK) != 0)
				bad_arg("--cgroup: cannot read %s: %s", path.p, strerror(errno));
			buf_free(&path);
			o->cgroups = xrealloc(o->cgroups, (o->ncgroups + 1) * sizeof *o->cgroups);
			o->cgroups[o->ncgroups++] = optarg;
			break;
		}
		case O_MATCH: {
			o->matches = xrealloc(o->matches, (o->nmatches + 1) * sizeof *o->matches);
			int r = regcomp(&o->matches[o->nmatches], optarg, REG_EXTENDED | REG_NOSUB);
			if (r) {
				char msg[256];
				regerror(r, &o->matches[o->nmatches], msg, sizeof msg);
				bad_arg("--match: invalid regular expression '%s': %s", optarg, msg);
			}
			o->nmatches++;
			break;
		}
		case O_LABEL: {
			char *eq = strchr(optarg, '=');
			if (!eq || eq == optarg)
				bad_arg("--label: '%s' is not KEY=VALUE", optarg);
			o->labels = xrealloc(o->labels, (o->nlabels + 1) * sizeof *o->labels);
			o->labels[o->nlabels].key = xstrndup(optarg, (size_t)(eq - optarg));
			o->labels[o->nlabels].value = xstrdup(eq + 1);
			o->nlabels++;
			break;
		}
		case 'o':
			if (!*optarg)
				bad_arg("-o/--output: empty file name");
			o->output = optarg;
			break;
		case O_KEY:
			o->key_file = optarg;
			break;
		case O_INTERVAL:
			o->interval_ms = arg_u64("--interval", optarg, 0, 86400000ULL * 365);
			break;
		case O_COUNT:
			o->count = arg_u64("--count", optarg, 1, 100000000);
			break;
		case O_STATS:
			o->stats = true;
			break;
		case O_READ:
			if (strcmp(optarg, "auto") == 0)
				o->mode = READ_AUTO;
			else if (strcmp(optarg, "mem") == 0)
				o->mode = READ_MEM;
			else
				bad_arg("--read: '%s' is not 'auto' or 'mem'", optarg);
			break;
		case O_BATCH:
			o->batch_pages = (size_t)arg_u64("--batch-pages", optarg, 1, 1u << 20);
			break;
		case O_HELP:
			usage(stdout);
			exit(0);
		case O_VERSION:
			printf("upm-probe %s\n", UPM_VERSION);
			exit(0);
		case ':':
			bad_arg("%s needs a value", argv[optind - 1]);
		default:
			if (optopt)
				bad_arg("unknown option '-%c'", optopt);
			bad_arg("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		bad_arg("unexpected argument '%s'", argv[optind]);
	if (!o->npids && !o->ncgroups && !o->nmatches)
		bad_arg("no target: give --pid, --cgroup or --match");
}

/* ---- host facts ---------------------------------------------------------------------------------------- */

/* Whether pagemap shows frame numbers to us: it does only for openers with CAP_SYS_ADMIN (in the initial user
 * namespace), so test it rather than guess from the uid. */
static bool pfns_readable(size_t page_size)
{
	static volatile uint8_t probe_page[1 << 16] __attribute__((aligned(65536)));
	probe_page[0] = 1;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	uint64_t e = 0;
	ssize_t r = pread(fd, &e, 8, (off_t)((uintptr_t)probe_page / page_size * 8));
	close(fd);
	return r == 8 && (e >> 63 & 1) && (e & ((1ULL << 55) - 1)) != 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular, readable file of a sysfs directory as "name": "content without the final newline". */
static void json_sysfs_dir(struct json *j, const char *dir)
{
	json_obj_begin(j);
	DIR *d = opendir(dir);
	if (d) {
		char **names = NULL;
		size_t n = 0;
		struct dirent *de;
		while ((de = readdir(d))) {
			struct stat st;
			if (de->d_name[0] == '.' || fstatat(dirfd(d), de->d_name, &st, 0) || !S_ISREG(st.st_mode))
				continue;
			names = xrealloc(names, (n + 1) * sizeof *names);
			names[n++] = xstrdup(de->d_name);
		}
		qsort(names, n, sizeof *names, cmp_str);
		struct buf content = { 0 };
		for (size_t i = 0; i < n; i++) {
			if (read_file_at(dirfd(d), names[i], &content, 65536, NULL) == 0) {
				while (content.len && (content.p[content.len - 1] == '\n'))
					content.len--;
				json_key(j, names[i]);
				json_strn(j, content.p, content.len);
			}
			free(names[i]);
		}
		buf_free(&content);
		free(names);
		closedir(d);
	}
	json_obj_end(j);
}

static void hex16(char out[17], uint64_t v)
{
	snprintf(out, 17, "%016" PRIx64, v);
}

static void write_head(struct out_sink *out, const struct options *o, const struct page_hasher *h, uint64_t keyid,
		       bool default_key, bool pfn_ok, bool flags_ok, size_t page_size)
{
	struct buf b = { 0 };
	struct json j;
	json_init(&j, &b);
	struct utsname un;
	if (uname(&un) != 0)
		memset(&un, 0, sizeof un);
	char hex[17];
	json_obj_begin(&j);
	json_key(&j, "formatVersion");
	json_u64(&j, 1);
	json_key(&j, "pageSize");
	json_u64(&j, page_size);
	json_key(&j, "hash");
	json_obj_begin(&j);
	json_key(&j, "algorithm");
	json_str(&j, "xxh3-64-secret");
	json_key(&j, "keyId");
	hex16(hex, keyid);
	json_str(&j, hex);
	json_key(&j, "defaultKey");
	json_bool(&j, default_key);
	json_key(&j, "zeroPageHash");
	hex16(hex, h->zero_hash);
	json_str(&j, hex);
	json_obj_end(&j);
	json_key(&j, "host");
	json_obj_begin(&j);
	json_key(&j, "hostname");
	json_str(&j, un.nodename);
	json_key(&j, "kernelRelease");
	json_str(&j, un.release);
	json_key(&j, "pfnReadable");
	json_bool(&j, pfn_ok);
	json_key(&j, "pageFlagsReadable");
	json_bool(&j, flags_ok);
	json_obj_end(&j);
	json_key(&j, "captureTimeMs");
	json_u64(&j, now_realtime_ms());
	json_key(&j, "ksm");
	json_sysfs_dir(&j, "/sys/kernel/mm/ksm");
	json_key(&j, "thp");
	json_sysfs_dir(&j, "/sys/kernel/mm/transparent_hugepage");
	json_key(&j, "labels");
	json_obj_begin(&j);
	for (size_t i = 0; i < o->nlabels; i++) {
		json_key(&j, o->labels[i].key);
		json_str(&j, o->labels[i].value);
	}
	json_obj_end(&j);
	json_key(&j, "tool");
	json_obj_begin(&j);
	json_key(&j, "name");
	json_str(&j, "upm-probe");
	json_key(&j, "version");
	json_str(&j, UPM_VERSION);
	json_obj_end(&j);
	json_obj_end(&j);
	if (b.len > MAX_JSON_BODY)
		diex(1, "the header is larger than 16 MiB (too many or too long labels)");
	struct iovec body = { b.p, b.len };
	write_section(&out->base, "HEAD", 0, &body, 1);
	buf_free(&b);
}

/* ---- targets -------------------------------------------------------------------------------------------- */

struct pid_list {
	pid_t *v;
	size_t n, cap;
};

static void pl_add(struct pid_list *l, pid_t p)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n++] = p;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

static bool parse_pid(const char *s, pid_t *out)
{
	uint64_t v;
	if (!parse_u64(s, &v) || v == 0 || v > 4194304)
		return false;
	*out = (pid_t)v;
	return true;
}

static void resolve_targets(const struct options *o, struct pid_list *out)
{
	out->n = 0;
	for (size_t i = 0; i < o->npids; i++)
		pl_add(out, o->pids[i]);
	pid_t self = getpid();
	struct buf b = { 0 };
	for (size_t i = 0; i < o->ncgroups; i++) {
		struct buf path = { 0 };
		buf_printf(&path, "%s/cgroup.procs", o->cgroups[i]);
		int r = read_file_at(AT_FDCWD, buf_cstr(&path), &b, 64u << 20, NULL);
		if (r) {
			warnx_("--cgroup: cannot read %s: %s", path.p, strerror(-r));
		} else {
			char *save = NULL;
			for (char *tok = strtok_r(b.p, "\n", &save); tok; tok = strtok_r(NULL, "\n", &save)) {
				pid_t p;
				if (parse_pid(tok, &p) && p != self)
					pl_add(out, p);
			}
		}
		buf_free(&path);
	}
	if (o->nmatches) {
		DIR *d = opendir("/proc");
		if (!d)
			diex(1, "cannot list /proc: %s", strerror(errno));
		struct dirent *de;
		while ((de = readdir(d))) {
			pid_t p;
			if (!parse_pid(de->d_name, &p) || p == self)
				continue;
			struct buf path = { 0 };
			buf_printf(&path, "%s/cmdline", de->d_name);
			int r = read_file_at(dirfd(d), buf_cstr(&path), &b, MAX_CMDLINE, NULL);
			buf_free(&path);
			if (r || b.len == 0)
				continue; /* gone, or a kernel thread / zombie (no command line) */
			while (b.len && b.p[b.len - 1] == 0)
				b.len--;
			for (size_t k = 0; k < b.len; k++)
				if (b.p[k] == 0)
					b.p[k] = ' ';
			buf_cstr(&b);
			for (size_t m = 0; m < o->nmatches; m++) {
				if (regexec(&o->matches[m], b.p, 0, NULL, 0) == 0) {
					pl_add(out, p);
					break;
				}
			}
		}
		closedir(d);
	}
	buf_free(&b);
	qsort(out->v, out->n, sizeof *out->v, cmp_pid);
	size_t k = 0;
	for (size_t i = 0; i < out->n; i++)
		if (k == 0 || out->v[k - 1] != out->v[i])
			out->v[k++] = out->v[i];
	out->n = k;
}

/* ---- one process ---------------------------------------------------------------------------------------- */

enum proc_status { ST_OK, ST_EXITED, ST_DENIED };

struct proc_info {
	pid_t pid;
	uint64_t start_time;
	char state;
	struct buf comm, cmdline, cgroup, ksm, rollup; /* ksm/rollup: rendered JSON values */
	bool cmdline_truncated;
	enum proc_status status;
	struct buf error;
	uint64_t snapshot_ms;
	struct vma_list vmas;
	bool read_something;
};

static void set_error(struct proc_info *pi, enum proc_status st, const char *what, int err)
{
	if (pi->status == ST_OK || (pi->status == ST_EXITED && st == ST_DENIED))
		pi->status = st;
	if (pi->error.len == 0)
		buf_printf(&pi->error, "%s: %s", what, strerror(err));
}

/* Fields of /proc/PID/stat after the command name, which may contain spaces and parentheses. */
static bool parse_stat(const char *s, char *state, uint64_t *start_time)
{
	const char *p = strrchr(s, ')');
	if (!p || p[1] != ' ')
		return false;
	p += 2;
	*state = *p;
	for (int field = 3; field < 22; field++) {
		p = strchr(p, ' ');
		if (!p)
			return false;
		p++;
	}
	char *end;
	errno = 0;
	unsigned long long v = strtoull(p, &end, 10);
	if (errno || end == p)
		return false;
	*start_time = v;
	return true;
}

static void trim_newline(struct buf *b)
{
	while (b->len && b->p[b->len - 1] == '\n')
		b->len--;
	buf_cstr(b);
}

static void read_cgroup(int dfd, struct proc_info *pi)
{
	struct buf b = { 0 };
	pi->cgroup.len = 0;
	if (read_file_at(dfd, "cgroup", &b, 1u << 20, NULL) == 0) {
		/* The unified (v2) hierarchy's "0::PATH" line; on a v1-only host, the memory controller's. */
		const char *best = NULL;
		size_t best_len = 0;
		char *save = NULL;
		for (char *line = strtok_r(b.p, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			if (strncmp(line, "0::", 3) == 0) {
				best = line + 3;
				best_len = strlen(best);
				break;
			}
			char *c1 = strchr(line, ':');
			char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
			if (c2 && !best && strncmp(c1 + 1, "memory:", 7) == 0) {
				best = c2 + 1;
				best_len = strlen(best);
			}
		}
		if (best)
			buf_append(&pi->cgroup, best, best_len);
	}
	buf_free(&b);
	buf_cstr(&pi->cgroup);
}

static bool is_integer(const char *s)
{
	if (*s == '-')
		s++;
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* /proc/PID/ksm_stat lines are "name value" or "name: value": numbers stay numbers, words strings. */
static void read_ksm(int dfd, struct proc_info *pi)
{
	struct buf b = { 0 };
	pi->ksm.len = 0;
	int r = read_file_at(dfd, "ksm_stat", &b, 65536, NULL);
	if (r) {
		buf_puts(&pi->ksm, "null");
		buf_free(&b);
		return;
	}
	struct json j;
	json_init(&j, &pi->ksm);
	json_obj_begin(&j);
	char *save = NULL;
	for (char *line = strtok_r(b.p, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = line + strcspn(line, " :");
		if (!*sp || sp == line)
			continue;
		char *val = sp;
		*val++ = 0;
		while (*val == ' ' || *val == ':')
			val++;
		size_t vl = strlen(val);
		while (vl && val[vl - 1] == ' ')
			val[--vl] = 0;
		json_key(&j, line);
		if (is_integer(val) && vl < 19)
			json_raw(&j, val);
		else
			json_str(&j, val);
	}
	json_obj_end(&j);
	buf_free(&b);
}

static void read_rollup(int dfd, struct proc_info *pi, int *err)
{
	struct buf b = { 0 };
	pi->rollup.len = 0;
	struct json j;
	json_init(&j, &pi->rollup);
	json_obj_begin(&j);
	*err = read_file_at(dfd, "smaps_rollup", &b, 1u << 20, NULL);
	if (*err == 0) {
		char *save = NULL;
		for (char *line = strtok_r(b.p, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char *colon = strchr(line, ':');
			if (!colon || colon == line || strchr(line, ' ') < colon)
				continue;
			*colon = 0;
			char *v = colon + 1;
			while (*v == ' ')
				v++;
			char *end;
			errno = 0;
			unsigned long long kb = strtoull(v, &end, 10);
			if (errno || end == v || strcmp(end, " kB") != 0)
				continue;
			json_key(&j, line);
			json_u64(&j, kb);
		}
	}
	json_obj_end(&j);
	buf_free(&b);
}

static void render_proc(struct buf *b, const struct proc_info *pi, size_t page_size, bool with_vmas)
{
	static const char *const status_names[] = { "ok", "exited", "denied" };
	struct json j;
	json_init(&j, b);
	json_obj_begin(&j);
	json_key(&j, "pid");
	json_u64(&j, (uint64_t)pi->pid);
	json_key(&j, "startTime");
	json_u64(&j, pi->start_time);
	json_key(&j, "comm");
	json_strn(&j, pi->comm.p ? pi->comm.p : "", pi->comm.len);
	json_key(&j, "cmdline");
	json_arr_begin(&j);
	for (size_t i = 0; i < pi->cmdline.len;) {
		const char *arg = pi->cmdline.p + i;
		size_t n = strnlen(arg, pi->cmdline.len - i);
		json_strn(&j, arg, n);
		i += n + 1;
	}
	json_arr_end(&j);
	json_key(&j, "cgroup");
	json_strn(&j, pi->cgroup.p ? pi->cgroup.p : "", pi->cgroup.len);
	json_key(&j, "labels");
	json_obj_begin(&j);
	json_obj_end(&j);
	json_key(&j, "snapshotTimeMs");
	json_u64(&j, pi->snapshot_ms);
	json_key(&j, "status");
	json_str(&j, status_names[pi->status]);
	if (pi->error.len) {
		json_key(&j, "error");
		json_strn(&j, pi->error.p, pi->error.len);
	}
	json_key(&j, "ksm");
	json_raw(&j, pi->ksm.len ? buf_cstr((struct buf *)&pi->ksm) : "null");
	json_key(&j, "rollup");
	json_raw(&j, pi->rollup.len ? buf_cstr((struct buf *)&pi->rollup) : "{}");
	json_key(&j, "vmas");
	json_arr_begin(&j);
	for (size_t i = 0; with_vmas && i < pi->vmas.n; i++) {
		const struct vma *v = &pi->vmas.v[i];
		json_obj_begin(&j);
		json_key(&j, "start");
		json_u64(&j, v->start);
		json_key(&j, "end");
		json_u64(&j, v->end);
		json_key(&j, "perms");
		json_str(&j, v->perms);
		json_key(&j, "shared");
		json_bool(&j, v->perms[3] == 's');
		json_key(&j, "kind");
		json_str(&j, vma_is_file(v) ? "file" : "anon");
		json_key(&j, "pgoff");
		json_u64(&j, v->offset / page_size);
		json_key(&j, "flags");
		json_arr_begin(&j);
		for (const char *f = v->vmflags; f[0] && f[1]; f += (f[2] ? 3 : 2)) {
			json_strn(&j, f, 2);
			if (!f[2])
				break;
		}
		json_arr_end(&j);
		json_key(&j, "path");
		json_str(&j, v->path);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
}

struct probe {
	struct options opt;
	struct walk_config wcfg;
	struct page_hasher hasher;
	bool pfn_ok, flags_ok;
	size_t page_size;
	struct out_sink out;
	struct spool_sink spool;
	struct totals tot;
	struct proc_info pi;
	uint64_t test_pause_ms;
};

/* Whether the process is gone or a zombie now (its address space no longer exists). */
static bool process_gone(int dfd)
{
	struct buf b = { 0 };
	char state = 0;
	uint64_t st;
	bool gone = read_file_at(dfd, "stat", &b, 65536, NULL) != 0 || !parse_stat(b.p, &state, &st) ||
		    state == 'Z' || state == 'X';
	buf_free(&b);
	return gone;
}

static void scan_process(struct probe *pr, pid_t pid)
{
	struct proc_info *pi = &pr->pi;
	pi->pid = pid;
	pi->start_time = 0;
	pi->status = ST_OK;
	pi->read_something = false;
	pi->error.len = 0;
	pi->comm.len = pi->cmdline.len = pi->cgroup.len = pi->ksm.len = pi->rollup.len = 0;
	pi->cmdline_truncated = false;
	vma_list_clear(&pi->vmas);
	pi->snapshot_ms = now_realtime_ms();

	struct page_sections ps;
	ps_init(&ps, &pr->spool.base, &pr->hasher, pr->page_size, pr->pfn_ok, pr->flags_ok);
	char dir[32];
	snprintf(dir, sizeof dir, "/proc/%d", (int)pid);
	/* Every file is opened relative to this directory: if the pid is reused meanwhile, opens fail instead of
	 * reading another process. */
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		set_error(pi, errno == EACCES ? ST_DENIED : ST_EXITED, dir, errno == ENOENT ? ESRCH : errno);
		goto out;
	}
	struct buf b = { 0 };
	int r = read_file_at(dfd, "stat", &b, 65536, NULL);
	if (r || !parse_stat(b.p, &pi->state, &pi->start_time)) {
		set_error(pi, ST_EXITED, "stat", r ? -r : EPROTO);
		buf_free(&b);
		goto out_close;
	}
	buf_free(&b);
	if (read_file_at(dfd, "comm", &pi->comm, 4096, NULL) == 0)
		trim_newline(&pi->comm);
	if (read_file_at(dfd, "cmdline", &pi->cmdline, MAX_CMDLINE, &pi->cmdline_truncated) == 0) {
		/* Arguments are NUL-terminated; drop the final terminator(s). */
		while (pi->cmdline.len && pi->cmdline.p[pi->cmdline.len - 1] == 0)
			pi->cmdline.len--;
	}
	read_cgroup(dfd, pi);
	read_ksm(dfd, pi);
	int rerr;
	read_rollup(dfd, pi, &rerr);
	if (rerr && rerr != -ENOENT && rerr != -ESRCH)
		set_error(pi, ST_DENIED, "smaps_rollup", -rerr);
	if (pi->state == 'Z' || pi->state == 'X') {
		set_error(pi, ST_EXITED, "process", ESRCH);
		goto out_close;
	}
	r = smaps_read(dfd, &pi->vmas);
	if (r) {
		set_error(pi, (r == -EACCES || r == -EPERM) ? ST_DENIED : ST_EXITED, "smaps",
			  (r == -ENOENT) ? ESRCH : -r);
		goto out_close;
	}
	/* [vsyscall] (x86-64) lies above 2^53, which JSON numbers cannot carry; it is not process memory. */
	size_t k = 0;
	for (size_t i = 0; i < pi->vmas.n; i++) {
		if (pi->vmas.v[i].end > MAX_SAFE_ADDR) {
			free(pi->vmas.v[i].path);
			free(pi->vmas.v[i].vmflags);
			continue;
		}
		pi->vmas.v[k++] = pi->vmas.v[i];
	}
	pi->vmas.n = k;
	if (pi->vmas.n == 0 && process_gone(dfd)) {
		set_error(pi, ST_EXITED, "process", ESRCH);
		goto out_close;
	}
	pi->read_something = true;
	if (pr->test_pause_ms)
		sleep_ms(pr->test_pause_ms);

	struct walker w;
	r = walker_open(&w, &pr->wcfg, pid, dfd);
	if (r) {
		set_error(pi, r == -ESRCH ? ST_EXITED : ST_DENIED, "pagemap", -r);
		goto out_close;
	}
	for (size_t i = 0; i < pi->vmas.n; i++) {
		r = walker_vma(&w, i, &pi->vmas.v[i], ps_on_batch, &ps);
		ps_flush(&ps);
		if (r == -ESRCH) {
			set_error(pi, ST_EXITED, "reading pages", ESRCH);
			break;
		}
		if (r == -EPERM || r == -EACCES) {
			set_error(pi, ST_DENIED, "reading pages", -r);
			break;
		}
		if (r) {
			/* Unexpected: keep what was read, say why the rest is missing, go on with the next VMA. */
			if (pi->error.len == 0)
				buf_printf(&pi->error, "VMA %zu: %s", i, strerror(-r));
		}
	}
	struct walk_stats *ws = &w.stats;
	pr->tot.ws.pages_listed += ws->pages_listed;
	pr->tot.ws.pages_read_vm += ws->pages_read_vm;
	pr->tot.ws.pages_read_mem += ws->pages_read_mem;
	pr->tot.ws.pages_failed += ws->pages_failed;
	pr->tot.ws.read_calls += ws->read_calls;
	pr->tot.ws.kpageflags_reads += ws->kpageflags_reads;
	walker_close(&w);
	/* Vanished during the scan (even after the last read): its data may be partial. */
	if (pi->status == ST_OK && process_gone(dfd))
		set_error(pi, ST_EXITED, "process", ESRCH);

out_close:
	close(dfd);
out:
	ps_flush(&ps);
	if (pi->read_something)
		pr->tot.procs_read++;
	else
		pr->tot.procs_unreadable++;

	struct buf json = { 0 };
	if (pi->cmdline.len > (256u << 10)) {
		/* Keep the PROC section well under its 16 MiB limit; the full line is rarely useful. */
		pi->cmdline.len = 256u << 10;
		pi->cmdline_truncated = true;
	}
	render_proc(&json, pi, pr->page_size, true);
	if (json.len > MAX_JSON_BODY) {
		/* Only a process with an extreme number of long-named VMAs gets here: record it without pages. */
		json.len = 0;
		pr->spool.mem.len = 0;
		spool_free(&pr->spool);
		spool_init(&pr->spool);
		ps.sections = ps.pages = 0;
		pi->status = ST_DENIED;
		pi->error.len = 0;
		buf_printf(&pi->error, "%zu VMAs do not fit in one PROC section", pi->vmas.n);
		render_proc(&json, pi, pr->page_size, false);
	}
	struct iovec body = { json.p, json.len };
	write_section(&pr->out.base, "PROC", 0, &body, 1);
	buf_free(&json);
	spool_drain(&pr->spool, &pr->out);
	pr->tot.processes++;
	pr->tot.page_sections += ps.sections;
	pr->tot.pages += ps.pages;
	ps_free(&ps);
}

static void write_json_section(struct out_sink *out, const char *type, struct buf *b)
{
	struct iovec body = { b->p, b->len };
	write_section(&out->base, type, 0, &body, 1);
}

int main(int argc, char **argv)
{
	prog_name = "upm-probe";
	struct probe *pr = xcalloc(1, sizeof *pr);
	parse_args(argc, argv, &pr->opt);
	struct options *o = &pr->opt;
	long psz = sysconf(_SC_PAGESIZE);
	pr->page_size = psz > 0 ? (size_t)psz : 4096;

	/* Key and secret. */
	struct buf key = { 0 };
	bool default_key = !o->key_file;
	if (o->key_file) {
		bool trunc;
		int r = read_file_at(AT_FDCWD, o->key_file, &key, MAX_KEY_FILE, &trunc);
		if (r)
			bad_arg("--key-file: cannot read %s: %s", o->key_file, strerror(-r));
		if (trunc)
			bad_arg("--key-file: %s is larger than 1 MiB", o->key_file);
		if (key.len < MIN_KEY_LEN)
			bad_arg("--key-file: %s has %zu bytes; a key needs at least %d", o->key_file, key.len,
				MIN_KEY_LEN);
	} else {
		buf_append(&key, DEFAULT_KEY, sizeof DEFAULT_KEY - 1);
	}
	if (hasher_init(&pr->hasher, key.p, key.len, pr->page_size))
		diex(1, "cannot derive a hashing secret from the key");
	uint64_t keyid = key_id(key.p, key.len);
	memset(key.p, 0, key.len);
	buf_free(&key);

	/* Output. */
	int fd;
	const char *outname;
	if (!o->output || strcmp(o->output, "-") == 0) {
		if (isatty(STDOUT_FILENO))
			bad_arg("refusing to write a binary dump to a terminal: use -o FILE or a pipe");
		fd = STDOUT_FILENO;
		outname = "standard output";
	} else {
		fd = open(o->output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0)
			bad_arg("-o: cannot create %s: %s", o->output, strerror(errno));
		outname = o->output;
	}
	signal(SIGPIPE, SIG_IGN);
	struct sigaction sa = { .sa_handler = on_stop };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	/* What this process may see of physical memory. */
	pr->pfn_ok = pfns_readable(pr->page_size);
	int kpf = -1;
	if (pr->pfn_ok)
		kpf = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	pr->flags_ok = kpf >= 0;
	if (!pr->pfn_ok)
		warnx_("warning: not running as root (no CAP_SYS_ADMIN): physical frame numbers and page flags "
		       "(zero page, KSM, THP) are not available; the dump records them as unknown");
	else if (!pr->flags_ok)
		warnx_("warning: cannot open /proc/kpageflags (%s): page flags (zero page, KSM, THP) are not "
		       "available", strerror(errno));

	pr->wcfg = (struct walk_config){
		.page_size = pr->page_size,
		.batch_pages = o->batch_pages,
		.kpageflags_fd = kpf,
		.mode = o->mode,
		.skip_zero_page = true,
	};
	/* Test hook: the unbatched kpageflags read, the reference that the batched one must agree with. */
	const char *kpf_mode = getenv("UPM_PROBE_TEST_KPAGEFLAGS");
	if (kpf_mode && *kpf_mode) {
		if (strcmp(kpf_mode, "per-page") == 0)
			pr->wcfg.kpf_per_page = true;
		else if (strcmp(kpf_mode, "batched") != 0)
			bad_arg("UPM_PROBE_TEST_KPAGEFLAGS: '%s' is not 'per-page' or 'batched'", kpf_mode);
	}
	const char *pause = getenv("UPM_PROBE_TEST_PAUSE_MS");
	uint64_t pause_ms;
	if (pause && parse_u64(pause, &pause_ms))
		pr->test_pause_ms = pause_ms;

	out_init(&pr->out, fd, outname);
	spool_init(&pr->spool);
	write_preamble(&pr->out);
	write_head(&pr->out, o, &pr->hasher, keyid, default_key, pr->pfn_ok, pr->flags_ok, pr->page_size);

	double t0 = now_mono_s(), c0 = cpu_time_s();
	uint64_t first_ms = 0;
	struct pid_list targets = { 0 };
	uint64_t targets_seen = 0;
	for (uint64_t snap = 0; snap < o->count && !stop_requested; snap++) {
		if (snap) {
			double due = t0 + (double)snap * (double)o->interval_ms / 1000.0;
			for (double now; !stop_requested && (now = now_mono_s()) < due;)
				sleep_ms((uint64_t)((due - now) * 1000.0) + 1);
			if (stop_requested)
				break;
		}
		uint64_t now_ms = now_realtime_ms();
		if (!snap)
			first_ms = now_ms;
		resolve_targets(o, &targets);
		targets_seen += targets.n;
		struct buf b = { 0 };
		buf_printf(&b, "{\"index\":%" PRIu64 ",\"timeMs\":%" PRIu64 ",\"elapsedMs\":%" PRIu64 "}", snap, now_ms,
			   now_ms - first_ms);
		write_json_section(&pr->out, "SNAP", &b);
		buf_free(&b);
		pr->tot.snapshots++;
		for (size_t i = 0; i < targets.n && !stop_requested; i++)
			scan_process(pr, targets.v[i]);
	}
	double seconds = now_mono_s() - t0, cpu_seconds = cpu_time_s() - c0;

	struct buf b = { 0 };
	buf_printf(&b, "{\"snapshots\":%" PRIu64 ",\"processes\":%" PRIu64 ",\"pageSections\":%" PRIu64
		       ",\"pages\":%" PRIu64 "}",
		   pr->tot.snapshots, pr->tot.processes, pr->tot.page_sections, pr->tot.pages);
	write_json_section(&pr->out, "TAIL", &b);
	buf_free(&b);
	out_flush(&pr->out);
	if (fd != STDOUT_FILENO && close(fd) != 0)
		diex(1, "writing %s: %s", outname, strerror(errno));

	if (o->stats) {
		uint64_t bytes = (pr->tot.ws.pages_read_vm + pr->tot.ws.pages_read_mem) * pr->page_size;
		fprintf(stderr,
			"{\"tool\":\"upm-probe\",\"bytes\":%" PRIu64 ",\"seconds\":%.6f,\"gbps\":%.4f,\"cpuSeconds\":%.6f,"
			"\"pages\":%" PRIu64
			",\"pagesViaProcessVmReadv\":%" PRIu64 ",\"pagesViaProcMem\":%" PRIu64 ",\"pagesFailed\":%" PRIu64
			",\"readCalls\":%" PRIu64 ",\"kpageflagsReads\":%" PRIu64 ",\"processes\":%" PRIu64
			",\"hashImpl\":\"%s\"}\n",
			bytes, seconds, seconds > 0 ? (double)bytes / seconds / 1e9 : 0.0, cpu_seconds, pr->tot.pages,
			pr->tot.ws.pages_read_vm, pr->tot.ws.pages_read_mem, pr->tot.ws.pages_failed,
			pr->tot.ws.read_calls, pr->tot.ws.kpageflags_reads, pr->tot.processes, pr->hasher.impl);
	}
	if (kpf >= 0)
		close(kpf);
	if (targets_seen == 0) {
		warnx_("no target process found");
		return 1;
	}
	if (pr->tot.procs_read == 0) {
		warnx_("no target could be read");
		return 1;
	}
	return 0;
}
