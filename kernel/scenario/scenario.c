/* upm-scenario: starts processes whose memory content is exactly specified, for tests and benchmarks of the
 * probe and of KSM. Prints one JSON line with the pids, region addresses and expected counts once every
 * process is ready, then waits for SIGTERM/SIGINT, kills and reaps its children and exits 0. See
 * docs/probe.md for the exact content rules. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../common/json.h"
#include "../common/util.h"

#ifndef PR_SET_MEMORY_MERGE
#define PR_SET_MEMORY_MERGE 67
#endif

#define MAX_PROCESSES 4096

/* Content tags: pages of different kinds never collide. */
enum { TAG_IDENTICAL = 1, TAG_DUP = 2, TAG_UNIQUE = 3, TAG_REWRITE = 4, TAG_COW = 5 };

struct config {
	uint64_t processes, pages;
	double identical, dup_within, zero;
	uint64_t dup_group;
	uint64_t seed;
	bool mergeable, prctl_merge, shared;
	const char *file;
	uint64_t read_zero, untouched, cow;
	uint64_t write_after, write_every;
	double write_fraction;
	bool have_write_after;
	uint64_t exit_after, exit_index;
	bool have_exit_after;
	/* derived */
	uint64_t n_ident, n_dup, n_zero, n_unique, n_groups;
};

/* What a child reports when ready. Written to a pipe in one write (< PIPE_BUF: atomic). */
struct ready {
	uint32_t index;
	int32_t pid;
	int32_t err; /* errno of a failed setup step, 0 when ready */
	char what[64];
	uint64_t main_start, read_zero_start, untouched_start, file_start, file_pages, cow_start;
};

static uint64_t splitmix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t content_seed(uint64_t tag, uint64_t seed, uint64_t a, uint64_t b)
{
	return splitmix(splitmix(splitmix(tag ^ splitmix(seed)) ^ a) ^ b);
}

/* A page of pseudo-random words from one 64-bit seed (splitmix64 stream); the first word is the seed, so
 * pages with different seeds always differ. */
static void fill_page(uint8_t *page, size_t psize, uint64_t s)
{
	uint64_t *w = (uint64_t *)page;
	w[0] = s;
	for (size_t i = 1; i < psize / 8; i++) {
		s += 0x9e3779b97f4a7c15ULL;
		uint64_t z = s;
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		w[i] = z ^ (z >> 31);
	}
}

static _Noreturn void usage_exit(int code)
{
	FILE *f = code ? stderr : stdout;
	fprintf(f,
		"Usage: upm-scenario [OPTION]...\n"
		"Start processes with exactly specified memory content; print one JSON line when all are ready;\n"
		"run until SIGTERM/SIGINT, then kill and reap them and exit 0.\n"
		"\n"
		"  --processes N        processes (default 1)\n"
		"  --pages P            pages of each process's main region (private anonymous, all written; default 1024)\n"
		"  --identical F        fraction of the main pages whose content is the same in every process\n"
		"  --dup-within F       fraction duplicated within a process, in groups of --dup-group copies\n"
		"  --dup-group K        copies of each duplicated content (default 4)\n"
		"  --zero F             fraction written with zeros (real anonymous pages, not the zero page)\n"
		"                       the rest of the main pages are unique (distinct across all processes)\n"
		"  --seed S             content seed (default 1)\n"
		"  --mergeable          madvise(MADV_MERGEABLE) on the main region\n"
		"  --prctl              prctl(PR_SET_MEMORY_MERGE) for the whole process\n"
		"  --shared             make the main region MAP_SHARED|MAP_ANONYMOUS (never merged by KSM)\n"
		"  --file PATH          also map PATH privately and read every page (resident file pages)\n"
		"  --read-zero N        also N pages that are only read (they map the zero page)\n"
		"  --untouched N        also N pages that are mapped but never touched (not resident)\n"
		"  --cow N              also N pages written by the parent before fork: shared copy-on-write by all\n"
		"  --write-after MS     MS ms after ready, rewrite --write-fraction of each process's identical pages\n"
		"  --write-fraction F   (default 0.1) with new unique content; --write-every MS repeats it\n"
		"  --write-every MS\n"
		"  --exit-after MS      process --exit-index K (default 0) exits MS ms after ready\n"
		"  --exit-index K\n"
		"  --help, --version\n");
	exit(code);
}

static double arg_frac(const char *opt, const char *v)
{
	double x;
	if (!parse_fraction(v, &x))
		bad_arg("%s: '%s' is not a fraction from 0 to 1", opt, v);
	return x;
}

static uint64_t frac_pages(double f, uint64_t p)
{
	return (uint64_t)floor(f * (double)p + 1e-9);
}

static void parse_args(int argc, char **argv, struct config *c)
{
	enum { O_PROCS = 256, O_PAGES, O_IDENT, O_DUP, O_DUPG, O_ZERO, O_SEED, O_MERGE, O_PRCTL, O_SHARED, O_FILE,
	       O_RZERO, O_UNTOUCHED, O_COW, O_WAFTER, O_WFRAC, O_WEVERY, O_EAFTER, O_EINDEX, O_HELP, O_VERSION };
	static const struct option lo[] = {
		{ "processes", 1, 0, O_PROCS }, { "pages", 1, 0, O_PAGES },
		{ "identical", 1, 0, O_IDENT }, { "dup-within", 1, 0, O_DUP },
		{ "dup-group", 1, 0, O_DUPG }, { "zero", 1, 0, O_ZERO },
		{ "seed", 1, 0, O_SEED }, { "mergeable", 0, 0, O_MERGE },
		{ "prctl", 0, 0, O_PRCTL }, { "shared", 0, 0, O_SHARED },
		{ "file", 1, 0, O_FILE }, { "read-zero", 1, 0, O_RZERO },
		{ "untouched", 1, 0, O_UNTOUCHED }, { "cow", 1, 0, O_COW },
		{ "write-after", 1, 0, O_WAFTER }, { "write-fraction", 1, 0, O_WFRAC },
		{ "write-every", 1, 0, O_WEVERY }, { "exit-after", 1, 0, O_EAFTER },
		{ "exit-index", 1, 0, O_EINDEX }, { "help", 0, 0, O_HELP },
		{ "version", 0, 0, O_VERSION }, { 0, 0, 0, 0 },
	};
	memset(c, 0, sizeof *c);
	c->processes = 1;
	c->pages = 1024;
	c->dup_group = 4;
	c->seed = 1;
	c->write_fraction = 0.1;
	opterr = 0;
	int o;
	const uint64_t maxpages = 1ULL << 32;
	while ((o = getopt_long(argc, argv, ":", lo, NULL)) != -1) {
		switch (o) {
		case O_PROCS: c->processes = arg_u64("--processes", optarg, 1, MAX_PROCESSES); break;
		case O_PAGES: c->pages = arg_u64("--pages", optarg, 1, maxpages); break;
		case O_IDENT: c->identical = arg_frac("--identical", optarg); break;
		case O_DUP: c->dup_within = arg_frac("--dup-within", optarg); break;
		case O_DUPG: c->dup_group = arg_u64("--dup-group", optarg, 2, maxpages); break;
		case O_ZERO: c->zero = arg_frac("--zero", optarg); break;
		case O_SEED: c->seed = arg_u64("--seed", optarg, 0, UINT64_MAX); break;
		case O_MERGE: c->mergeable = true; break;
		case O_PRCTL: c->prctl_merge = true; break;
		case O_SHARED: c->shared = true; break;
		case O_FILE: c->file = optarg; break;
		case O_RZERO: c->read_zero = arg_u64("--read-zero", optarg, 0, maxpages); break;
		case O_UNTOUCHED: c->untouched = arg_u64("--untouched", optarg, 0, maxpages); break;
		case O_COW: c->cow = arg_u64("--cow", optarg, 0, maxpages); break;
		case O_WAFTER:
			c->write_after = arg_u64("--write-after", optarg, 0, UINT32_MAX);
			c->have_write_after = true;
			break;
		case O_WFRAC: c->write_fraction = arg_frac("--write-fraction", optarg); break;
		case O_WEVERY: c->write_every = arg_u64("--write-every", optarg, 1, UINT32_MAX); break;
		case O_EAFTER:
			c->exit_after = arg_u64("--exit-after", optarg, 0, UINT32_MAX);
			c->have_exit_after = true;
			break;
		case O_EINDEX: c->exit_index = arg_u64("--exit-index", optarg, 0, MAX_PROCESSES - 1); break;
		case O_HELP: usage_exit(0);
		case O_VERSION: printf("upm-scenario %s\n", UPM_VERSION); exit(0);
		case ':': bad_arg("%s needs a value", argv[optind - 1]);
		default: bad_arg("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		bad_arg("unexpected argument '%s'", argv[optind]);
	if (c->mergeable && c->shared)
		bad_arg("--mergeable and --shared: KSM never merges shared mappings; choose one");
	if (c->write_every && !c->have_write_after)
		bad_arg("--write-every needs --write-after");
	if (c->have_exit_after && c->exit_index >= c->processes)
		bad_arg("--exit-index: %" PRIu64 " is not below --processes %" PRIu64, c->exit_index, c->processes);
	if (c->file && access(c->file, R_OK) != 0)
		bad_arg("--file: cannot read %s: %s", c->file, strerror(errno));
	c->n_ident = frac_pages(c->identical, c->pages);
	c->n_dup = frac_pages(c->dup_within, c->pages);
	c->n_zero = frac_pages(c->zero, c->pages);
	if (c->n_ident + c->n_dup + c->n_zero > c->pages)
		bad_arg("--identical + --dup-within + --zero add up to more than 1");
	c->n_unique = c->pages - c->n_ident - c->n_dup - c->n_zero;
	c->n_groups = (c->n_dup + c->dup_group - 1) / c->dup_group;
}

static size_t PS;

/* Content of page i of a process's main region (layout: identical, dup-within, zero, unique). */
static void fill_main_page(const struct config *c, uint8_t *page, uint64_t i, pid_t pid)
{
	if (i < c->n_ident) {
		fill_page(page, PS, content_seed(TAG_IDENTICAL, c->seed, 0, i));
	} else if (i < c->n_ident + c->n_dup) {
		uint64_t g = (i - c->n_ident) / c->dup_group;
		fill_page(page, PS, content_seed(TAG_DUP, c->seed, (uint64_t)pid, g));
	} else if (i < c->n_ident + c->n_dup + c->n_zero) {
		memset(page, 0, PS); /* a write fault: a real anonymous page of zeros */
	} else {
		fill_page(page, PS, content_seed(TAG_UNIQUE, c->seed, (uint64_t)pid, i));
	}
}

static void child_fail(int wfd, struct ready *r, const char *what, int err)
{
	r->err = err ? err : EIO;
	snprintf(r->what, sizeof r->what, "%s", what);
	if (write(wfd, r, sizeof *r) < 0) {
		/* nothing more to do: the parent sees the pipe close */
	}
	_exit(1);
}

/* Maps len bytes at a fixed address inside a reservation. */
static uint8_t *map_at(uint8_t *at, size_t len, int prot, int flags, int fd)
{
	void *p = mmap(at, len, prot, flags | MAP_FIXED, fd, 0);
	return p == MAP_FAILED ? NULL : p;
}

static void sleep_until(double t)
{
	for (double now; (now = now_mono_s()) < t;) {
		double d = t - now;
		struct timespec ts = { .tv_sec = (time_t)d, .tv_nsec = (long)((d - (double)(time_t)d) * 1e9) };
		nanosleep(&ts, NULL);
	}
}

static _Noreturn void child_main(const struct config *c, uint32_t index, pid_t parent, int wfd, uint8_t *cow)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
		_exit(1); /* the parent is already gone */
	struct ready r = { .index = index, .pid = getpid() };
	pid_t pid = getpid();
	if (c->prctl_merge && prctl(PR_SET_MEMORY_MERGE, 1, 0, 0, 0) != 0)
		child_fail(wfd, &r, "prctl(PR_SET_MEMORY_MERGE)", errno);

	int file_fd = -1;
	uint64_t file_pages = 0;
	if (c->file) {
		file_fd = open(c->file, O_RDONLY | O_CLOEXEC);
		struct stat st;
		if (file_fd < 0 || fstat(file_fd, &st) != 0)
			child_fail(wfd, &r, "open --file", errno);
		file_pages = ((uint64_t)st.st_size + PS - 1) / PS;
	}
	/* One reservation with a PROT_NONE guard page after each region, so that no two regions merge into one
	 * VMA: each region's VMA starts exactly at the address reported. */
	uint64_t total = c->pages + 1 + (c->read_zero ? c->read_zero + 1 : 0) + (c->untouched ? c->untouched + 1 : 0) +
			 (file_pages ? file_pages + 1 : 0);
	uint8_t *base = mmap(NULL, total * PS, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		child_fail(wfd, &r, "mmap reservation", errno);
	uint8_t *at = base;
	int anon = MAP_ANONYMOUS | (c->shared ? MAP_SHARED : MAP_PRIVATE);
	uint8_t *mainr = map_at(at, c->pages * PS, PROT_READ | PROT_WRITE, anon, -1);
	if (!mainr)
		child_fail(wfd, &r, "mmap main region", errno);
	at += (c->pages + 1) * PS;
	/* Exact counts need 4 KiB pages: no THP (and no huge zero page) in the scenario's regions. */
	madvise(mainr, c->pages * PS, MADV_NOHUGEPAGE);
	uint8_t *rz = NULL, *ut = NULL, *fm = NULL;
	if (c->read_zero) {
		rz = map_at(at, c->read_zero * PS, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
		if (!rz)
			child_fail(wfd, &r, "mmap read-zero region", errno);
		madvise(rz, c->read_zero * PS, MADV_NOHUGEPAGE);
		at += (c->read_zero + 1) * PS;
	}
	if (c->untouched) {
		ut = map_at(at, c->untouched * PS, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
		if (!ut)
			child_fail(wfd, &r, "mmap untouched region", errno);
		madvise(ut, c->untouched * PS, MADV_NOHUGEPAGE);
		at += (c->untouched + 1) * PS;
	}
	if (file_pages) {
		fm = map_at(at, file_pages * PS, PROT_READ, MAP_PRIVATE, file_fd);
		if (!fm)
			child_fail(wfd, &r, "mmap --file", errno);
		at += (file_pages + 1) * PS;
	}
	if (file_fd >= 0)
		close(file_fd);

	for (uint64_t i = 0; i < c->pages; i++)
		fill_main_page(c, mainr + i * PS, i, pid);
	if (c->mergeable && madvise(mainr, c->pages * PS, MADV_MERGEABLE) != 0)
		child_fail(wfd, &r, "madvise(MADV_MERGEABLE)", errno);
	volatile uint8_t sink = 0;
	for (uint64_t i = 0; i < c->read_zero; i++)
		sink += ((volatile uint8_t *)rz)[i * PS];
	for (uint64_t i = 0; i < file_pages; i++)
		sink += ((volatile uint8_t *)fm)[i * PS];
	(void)sink;

	r.main_start = (uint64_t)(uintptr_t)mainr;
	r.read_zero_start = (uint64_t)(uintptr_t)rz;
	r.untouched_start = (uint64_t)(uintptr_t)ut;
	r.file_start = (uint64_t)(uintptr_t)fm;
	r.file_pages = file_pages;
	r.cow_start = (uint64_t)(uintptr_t)cow;
	if (write(wfd, &r, sizeof r) != (ssize_t)sizeof r)
		_exit(1);
	close(wfd);

	/* After ready: optional rewrites and exit, else sleep until killed. */
	double t0 = now_mono_s();
	bool exits = c->have_exit_after && c->exit_index == index;
	double exit_at = t0 + (double)c->exit_after / 1000.0;
	double write_at = c->have_write_after ? t0 + (double)c->write_after / 1000.0 : INFINITY;
	uint64_t nrewrite = frac_pages(c->write_fraction, c->n_ident);
	for (uint64_t gen = 1;; gen++) {
		double next = exits && exit_at < write_at ? exit_at : write_at;
		if (isinf(next)) {
			for (;;)
				pause();
		}
		sleep_until(next);
		if (exits && now_mono_s() >= exit_at)
			_exit(0);
		for (uint64_t j = 0; j < nrewrite; j++)
			fill_page(mainr + j * PS, PS, content_seed(TAG_REWRITE, c->seed, (uint64_t)pid, gen << 32 | j));
		write_at = c->write_every ? write_at + (double)c->write_every / 1000.0 : INFINITY;
	}
}

static volatile sig_atomic_t got_term, got_chld;
static void on_term(int s) { (void)s; got_term = 1; }
static void on_chld(int s) { (void)s; got_chld = 1; }

static pid_t *kids;
static size_t nkids;

static void reap(bool block)
{
	for (;;) {
		int st;
		pid_t p = waitpid(-1, &st, block ? 0 : WNOHANG);
		if (p <= 0) {
			if (p < 0 && errno == EINTR)
				continue;
			return;
		}
		for (size_t i = 0; i < nkids; i++)
			if (kids[i] == p)
				kids[i] = 0;
	}
}

static void kill_all(void)
{
	for (size_t i = 0; i < nkids; i++)
		if (kids[i] > 0)
			kill(kids[i], SIGKILL);
	reap(true);
}

static void hexaddr(struct json *j, uint64_t a)
{
	char s[24];
	snprintf(s, sizeof s, "0x%" PRIx64, a);
	json_str(j, s);
}

static void region(struct json *j, pid_t pid, uint32_t index, const char *kind, uint64_t start, uint64_t pages)
{
	json_obj_begin(j);
	json_key(j, "pid");
	json_u64(j, (uint64_t)pid);
	json_key(j, "index");
	json_u64(j, index);
	json_key(j, "kind");
	json_str(j, kind);
	json_key(j, "start");
	hexaddr(j, start);
	json_key(j, "pages");
	json_u64(j, pages);
	json_obj_end(j);
}

int main(int argc, char **argv)
{
	prog_name = "upm-scenario";
	struct config c;
	parse_args(argc, argv, &c);
	long psz = sysconf(_SC_PAGESIZE);
	PS = psz > 0 ? (size_t)psz : 4096;

	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old);
	struct sigaction sa = { .sa_handler = on_term };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_chld;
	sigaction(SIGCHLD, &sa, NULL);

	uint8_t *cow = NULL;
	if (c.cow) {
		cow = mmap(NULL, c.cow * PS, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (cow == MAP_FAILED)
			diex(1, "mmap --cow region: %s", strerror(errno));
		madvise(cow, c.cow * PS, MADV_NOHUGEPAGE);
		for (uint64_t j = 0; j < c.cow; j++)
			fill_page(cow + j * PS, PS, content_seed(TAG_COW, c.seed, 0, j));
	}

	int fds[2];
	if (pipe2(fds, O_CLOEXEC) != 0)
		diex(1, "pipe: %s", strerror(errno));
	kids = xcalloc(c.processes, sizeof *kids);
	pid_t parent = getpid();
	for (uint64_t k = 0; k < c.processes; k++) {
		pid_t p = fork();
		if (p < 0) {
			warnx_("fork: %s", strerror(errno));
			kill_all();
			return 1;
		}
		if (p == 0) {
			sigprocmask(SIG_SETMASK, &old, NULL);
			signal(SIGTERM, SIG_DFL);
			signal(SIGINT, SIG_DFL);
			signal(SIGCHLD, SIG_DFL);
			close(fds[0]);
			child_main(&c, (uint32_t)k, parent, fds[1], cow);
		}
		kids[nkids++] = p;
	}
	close(fds[1]);

	struct ready *rs = xcalloc(c.processes, sizeof *rs);
	uint64_t got = 0;
	while (got < c.processes) {
		struct ready r;
		ssize_t n = read(fds[0], &r, sizeof r);
		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof r) {
			warnx_("a process died before it was ready");
			kill_all();
			return 1;
		}
		if (r.err) {
			warnx_("process %u: %s: %s", r.index, r.what, strerror(r.err));
			kill_all();
			return 1;
		}
		if (r.index >= c.processes) {
			kill_all();
			diex(1, "internal error: bad ready record");
		}
		rs[r.index] = r;
		got++;
	}
	close(fds[0]);

	struct buf out = { 0 };
	struct json j;
	json_init(&j, &out);
	json_obj_begin(&j);
	json_key(&j, "pids");
	json_arr_begin(&j);
	for (uint64_t k = 0; k < c.processes; k++)
		json_u64(&j, (uint64_t)rs[k].pid);
	json_arr_end(&j);
	json_key(&j, "parentPid");
	json_u64(&j, (uint64_t)parent);
	json_key(&j, "pagesPerProcess");
	json_u64(&j, c.pages);
	json_key(&j, "pageSize");
	json_u64(&j, PS);
	json_key(&j, "seed");
	json_u64(&j, c.seed);
	json_key(&j, "merge");
	json_str(&j, c.prctl_merge ? "prctl" : c.mergeable ? "madvise" : "none");
	json_key(&j, "shared");
	json_bool(&j, c.shared);
	json_key(&j, "layout");
	json_obj_begin(&j);
	uint64_t a = 0;
	const char *names[] = { "identical", "dupWithin", "zero", "unique" };
	uint64_t counts[] = { c.n_ident, c.n_dup, c.n_zero, c.n_unique };
	for (int i = 0; i < 4; i++) {
		json_key(&j, names[i]);
		json_arr_begin(&j);
		json_u64(&j, a);
		json_u64(&j, a + counts[i]);
		json_arr_end(&j);
		a += counts[i];
	}
	json_obj_end(&j);
	json_key(&j, "expected");
	json_obj_begin(&j);
	for (int i = 0; i < 4; i++) {
		json_key(&j, names[i]);
		json_u64(&j, counts[i]);
	}
	json_key(&j, "dupGroupSize");
	json_u64(&j, c.dup_group);
	json_key(&j, "dupGroups");
	json_u64(&j, c.n_groups);
	uint64_t zero_distinct = c.n_zero ? 1 : 0;
	json_key(&j, "distinctPerProcess");
	json_u64(&j, c.n_ident + c.n_groups + zero_distinct + c.n_unique);
	json_key(&j, "distinctTotal");
	json_u64(&j, c.n_ident + c.processes * (c.n_groups + c.n_unique) + zero_distinct);
	json_key(&j, "residentPerProcess");
	json_u64(&j, c.pages + c.read_zero + (c.file ? rs[0].file_pages : 0) + c.cow);
	json_obj_end(&j);
	json_key(&j, "regions");
	json_arr_begin(&j);
	for (uint64_t k = 0; k < c.processes; k++) {
		region(&j, rs[k].pid, (uint32_t)k, "main", rs[k].main_start, c.pages);
		if (c.read_zero)
			region(&j, rs[k].pid, (uint32_t)k, "readZero", rs[k].read_zero_start, c.read_zero);
		if (c.untouched)
			region(&j, rs[k].pid, (uint32_t)k, "untouched", rs[k].untouched_start, c.untouched);
		if (rs[k].file_pages)
			region(&j, rs[k].pid, (uint32_t)k, "file", rs[k].file_start, rs[k].file_pages);
		if (c.cow)
			region(&j, rs[k].pid, (uint32_t)k, "cow", rs[k].cow_start, c.cow);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	buf_putc(&out, '\n');
	if (write_all(STDOUT_FILENO, out.p, out.len) != 0) {
		kill_all();
		return 1;
	}
	buf_free(&out);

	while (!got_term) {
		sigsuspend(&old);
		if (got_chld) {
			got_chld = 0;
			reap(false); /* no zombies: an exited child disappears from /proc */
		}
	}
	kill_all();
	free(rs);
	free(kids);
	return 0;
}
