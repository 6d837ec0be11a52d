/*
 * upm-test: the UPM kernel tests, run inside QEMU by kernel/upm/initramfs/init.
 *
 *   upm-test TEST...        merge, different, cow, owner-exit, fork, collision, concurrent, conform,
 *                           latency, stress, or all
 *   UPM_STRESS_SECONDS=N    length of the stress loop (default 60)
 *
 * Each test prints one line `UPMTEST {"test":NAME,"pass":true|false,...}` on stdout. `conform` also prints
 * the in-kernel probe's scans and the counters, base64 between `UPMCONFORM-BEGIN` and `UPMCONFORM-END`,
 * for the host-side replay (test/conformance/upm-kernel.int-spec.ts).
 *
 * Pages are filled from a seed: seed 0 is a zero-filled page, any other seed a splitmix64 stream, so that a
 * worker can be told "page i holds seed s" and verify it later.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#ifndef MADV_UPM_MERGE
#define MADV_UPM_MERGE 120
#endif

#define PAGE 4096UL
#define SYSFS "/sys/kernel/mm/upm/"
#define DEBUGFS "/sys/kernel/debug/upm/"

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void fill(void *p, uint64_t seed)
{
	uint64_t *w = p, s = seed;
	size_t i;

	if (!seed) {
		memset(p, 0, PAGE);
		return;
	}
	for (i = 0; i < PAGE / 8; i++)
		w[i] = splitmix64(&s);
}

static int matches(const void *p, uint64_t seed)
{
	static uint64_t buf[PAGE / 8];

	fill(buf, seed);
	return !memcmp(p, buf, PAGE);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* ---- counters ---- */

static const char *const counter_names[] = {
	"pages_registered", "pages_merged", "pages_saved", "table_entries", "lookups", "collisions",
	"stale_entries", "already_registered", "re_registered", "same_page", "merge_failed", "calls",
	"pages_scanned", "time_ns",
};
#define NCOUNTERS (sizeof(counter_names) / sizeof(counter_names[0]))
enum { REGISTERED, MERGED, SAVED, ENTRIES, LOOKUPS, COLLISIONS, STALE, ALREADY, REREG, SAME, FAILED, CALLS,
       SCANNED, TIME_NS };

struct counters {
	int64_t v[NCOUNTERS];
};

static int64_t read_file_i64(const char *path)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? strtoll(buf, NULL, 10) : -1;
}

static void counters_read(struct counters *c)
{
	char path[128];
	size_t i;

	for (i = 0; i < NCOUNTERS; i++) {
		snprintf(path, sizeof(path), SYSFS "%s", counter_names[i]);
		c->v[i] = read_file_i64(path);
	}
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* ---- result lines ---- */

static char detail[8192];
static int failures;

static void note(const char *fmt, ...)
{
	size_t len = strlen(detail);
	va_list ap;

	if (len >= sizeof(detail) - 2)
		return;
	if (len)
		detail[len++] = ';', detail[len] = 0;
	va_start(ap, fmt);
	vsnprintf(detail + len, sizeof(detail) - len, fmt, ap);
	va_end(ap);
}

#define EXPECT(cond, ...)                                                                                    \
	do {                                                                                                 \
		if (!(cond)) {                                                                               \
			ok = 0;                                                                              \
			note(__VA_ARGS__);                                                                   \
		}                                                                                            \
	} while (0)

#define EXPECT_DELTA(a, b, idx, want)                                                                        \
	EXPECT((b).v[idx] - (a).v[idx] == (int64_t)(want), "%s: +%" PRId64 " want +%" PRId64, counter_names[idx], \
	       (int64_t)((b).v[idx] - (a).v[idx]), (int64_t)(want))

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void result(const char *test, int ok, const char *extra_json)
{
	printf("UPMTEST {\"test\":\"%s\",\"pass\":%s", test, ok ? "true" : "false");
	if (extra_json && *extra_json)
		printf(",%s", extra_json);
	printf(",\"detail\":");
	json_str(stdout, detail);
	printf("}\n");
	fflush(stdout);
	if (!ok)
		failures++;
	detail[0] = 0;
}

/* ---- workers: child processes that own a region and obey commands ---- */

enum { OP_MADVISE = 1, OP_WRITE, OP_CHECK, OP_EXIT, OP_ADDR, OP_FORK };

struct cmd {
	int op;
	long a, b;
};

struct worker {
	pid_t pid;
	int to, from;
	int fork_to, fork_from;	/* the pipes of a child forked by OP_FORK */
	unsigned long addr;
	long pages;
};

static void worker_loop(int in, int out, char *region, int fork_in, int fork_out) __attribute__((noreturn));

static void worker_main(int in, int out, int fork_in, int fork_out, long pages, const uint64_t *seeds)
{
	char *region = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long i;

	if (region == MAP_FAILED)
		_exit(3);
	madvise(region, pages * PAGE, MADV_NOHUGEPAGE);
	for (i = 0; i < pages; i++)
		fill(region + i * PAGE, seeds[i]);
	worker_loop(in, out, region, fork_in, fork_out);
}

static void worker_loop(int in, int out, char *region, int fork_in, int fork_out)
{
	struct cmd c;
	long r;

	while (read(in, &c, sizeof(c)) == sizeof(c)) {
		switch (c.op) {
		case OP_MADVISE:
			r = madvise(region + c.a * PAGE, c.b * PAGE, MADV_UPM_MERGE) ? -errno : 0;
			break;
		case OP_WRITE:
			fill(region + c.a * PAGE, c.b);
			r = 0;
			break;
		case OP_CHECK:
			r = matches(region + c.a * PAGE, c.b);
			break;
		case OP_ADDR:
			r = (long)region;
			break;
		case OP_FORK:	/* the child shares the region copy-on-write and obeys the second pipes */
			r = fork();
			if (!r)
				worker_loop(fork_in, fork_out, region, -1, -1);
			break;
		case OP_EXIT:
		default:
			_exit(0);
		}
		if (write(out, &r, sizeof(r)) != sizeof(r))
			_exit(4);
	}
	_exit(0);
}

static long wcmd(struct worker *w, int op, long a, long b)
{
	struct cmd c = { op, a, b };
	long r = -1;

	if (write(w->to, &c, sizeof(c)) != sizeof(c) || read(w->from, &r, sizeof(r)) != sizeof(r))
		return -9999;
	return r;
}

/* Send without waiting, for concurrent calls. */
static void wsend(struct worker *w, int op, long a, long b)
{
	struct cmd c = { op, a, b };

	if (write(w->to, &c, sizeof(c)) != sizeof(c))
		perror("wsend");
}

static long wrecv(struct worker *w)
{
	long r = -1;

	if (read(w->from, &r, sizeof(r)) != sizeof(r))
		return -9999;
	return r;
}

static int spawn(struct worker *w, long pages, const uint64_t *seeds)
{
	int a[2], b[2], fa[2], fb[2];

	if (pipe(a) || pipe(b) || pipe(fa) || pipe(fb))
		return -1;
	w->pages = pages;
	w->pid = fork();
	if (w->pid < 0)
		return -1;
	if (!w->pid) {
		close(a[1]);
		close(b[0]);
		close(fa[1]);
		close(fb[0]);
		worker_main(a[0], b[1], fa[0], fb[1], pages, seeds);
	}
	close(a[0]);
	close(b[1]);
	close(fa[0]);
	close(fb[1]);
	w->to = a[1];
	w->from = b[0];
	w->fork_to = fa[1];
	w->fork_from = fb[0];
	w->addr = (unsigned long)wcmd(w, OP_ADDR, 0, 0);
	return 0;
}

static void reap(struct worker *w)
{
	if (w->pid <= 0)
		return;
	wsend(w, OP_EXIT, 0, 0);
	close(w->to);
	close(w->from);
	if (w->fork_to >= 0) {
		close(w->fork_to);
		close(w->fork_from);
	}
	waitpid(w->pid, NULL, 0);
	w->pid = 0;
}

/* The child of OP_FORK as a worker of its own. */
static struct worker forked(struct worker *parent, pid_t pid)
{
	struct worker c = { pid, parent->fork_to, parent->fork_from, -1, -1, parent->addr, parent->pages };

	parent->fork_to = parent->fork_from = -1;
	return c;
}

static void reap_forked(struct worker *w)
{
	wsend(w, OP_EXIT, 0, 0);
	close(w->to);
	close(w->from);
	waitpid(w->pid, NULL, 0);	/* ours: we are the subreaper of orphaned workers */
	w->pid = 0;
}

static int check_all(struct worker *w, const uint64_t *seeds)
{
	long i, bad = 0;

	for (i = 0; i < w->pages; i++)
		if (wcmd(w, OP_CHECK, i, seeds[i]) != 1)
			bad++;
	return bad;
}

/* ---- tests ---- */

static uint64_t *seq_seeds(long n, uint64_t base)
{
	uint64_t *s = calloc(n, sizeof(*s));
	long i;

	for (i = 0; i < n; i++)
		s[i] = base + i;
	return s;
}

static int count_entries(pid_t pid)
{
	char sel[32], line[256];
	int n = 0;
	FILE *f;

	snprintf(sel, sizeof(sel), "%d", pid);
	if (write_file("/sys/kernel/debug/upm/pid", sel))
		return -1;
	f = fopen("/sys/kernel/debug/upm/entries", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += !strncmp(line, "entry ", 6);
	fclose(f);
	write_file("/sys/kernel/debug/upm/pid", "0");
	return n;
}

static void test_merge(void)
{
	const long n = 64;
	uint64_t *seeds = seq_seeds(n, 1000);
	struct counters c0, c1, c2, c3;
	struct worker a, b;
	int ok = 1;

	counters_read(&c0);
	spawn(&a, n, seeds);
	spawn(&b, n, seeds);
	EXPECT(wcmd(&a, OP_MADVISE, 0, n) == 0, "madvise A failed");
	counters_read(&c1);
	EXPECT_DELTA(c0, c1, REGISTERED, n);
	EXPECT_DELTA(c0, c1, MERGED, 0);
	EXPECT_DELTA(c0, c1, ENTRIES, n);
	EXPECT(wcmd(&b, OP_MADVISE, 0, n) == 0, "madvise B failed");
	counters_read(&c2);	/* right after the call: synchronous */
	EXPECT_DELTA(c1, c2, MERGED, n);
	EXPECT_DELTA(c1, c2, REGISTERED, 0);
	EXPECT_DELTA(c1, c2, SAVED, n);
	EXPECT_DELTA(c1, c2, ENTRIES, 0);
	EXPECT_DELTA(c1, c2, LOOKUPS, n);
	EXPECT(check_all(&a, seeds) == 0 && check_all(&b, seeds) == 0, "content changed by the merge");
	/* the probe lists A's registrations, and none of B's */
	EXPECT(count_entries(a.pid) == n, "probe: %d entries of A, want %ld", count_entries(a.pid), n);
	EXPECT(count_entries(b.pid) == 0, "probe: %d entries of B, want 0", count_entries(b.pid));
	/* a second call changes nothing: A is registered, B maps A's pages already */
	EXPECT(wcmd(&a, OP_MADVISE, 0, n) == 0 && wcmd(&b, OP_MADVISE, 0, n) == 0, "second madvise failed");
	counters_read(&c3);
	EXPECT_DELTA(c2, c3, ALREADY, n);
	EXPECT_DELTA(c2, c3, SAME, n);
	EXPECT_DELTA(c2, c3, MERGED, 0);
	EXPECT_DELTA(c2, c3, REGISTERED, 0);
	reap(&a);
	reap(&b);
	counters_read(&c3);
	EXPECT(c3.v[ENTRIES] == c0.v[ENTRIES], "table_entries %" PRId64 " after exit, want %" PRId64, c3.v[ENTRIES],
	       c0.v[ENTRIES]);
	EXPECT(c3.v[SAVED] == c0.v[SAVED], "pages_saved %" PRId64 " after exit", c3.v[SAVED]);
	result("merge", ok, NULL);
	free(seeds);
}

static void test_different(void)
{
	const long n = 64;
	uint64_t *sa = seq_seeds(n, 2000), *sb = seq_seeds(n, 3000);
	struct counters c0, c1;
	struct worker a, b;
	int ok = 1;

	counters_read(&c0);
	spawn(&a, n, sa);
	spawn(&b, n, sb);
	EXPECT(wcmd(&a, OP_MADVISE, 0, n) == 0 && wcmd(&b, OP_MADVISE, 0, n) == 0, "madvise failed");
	counters_read(&c1);
	EXPECT_DELTA(c0, c1, MERGED, 0);
	EXPECT_DELTA(c0, c1, REGISTERED, 2 * n);
	EXPECT_DELTA(c0, c1, SAVED, 0);
	EXPECT_DELTA(c0, c1, COLLISIONS, 0);
	EXPECT(check_all(&a, sa) == 0 && check_all(&b, sb) == 0, "content changed");
	reap(&a);
	reap(&b);
	result("different", ok, NULL);
	free(sa);
	free(sb);
}

static void test_cow(void)
{
	const long n = 16;
	uint64_t *seeds = seq_seeds(n, 4000), *sa, *sb;
	struct counters c0, c1, c2;
	struct worker a, b;
	int ok = 1;

	sa = seq_seeds(n, 4000);
	sb = seq_seeds(n, 4000);
	spawn(&a, n, seeds);
	spawn(&b, n, seeds);
	wcmd(&a, OP_MADVISE, 0, n);
	wcmd(&b, OP_MADVISE, 0, n);
	counters_read(&c0);
	/* B writes its page 0 (a merger), A writes its page 1 (the owner) */
	wcmd(&b, OP_WRITE, 0, 4900);
	sb[0] = 4900;
	wcmd(&a, OP_WRITE, 1, 4901);
	sa[1] = 4901;
	counters_read(&c1);
	EXPECT(check_all(&a, sa) == 0, "A's content wrong after the writes");
	EXPECT(check_all(&b, sb) == 0, "B's content wrong after the writes");
	EXPECT_DELTA(c0, c1, SAVED, -2);
	EXPECT_DELTA(c0, c1, MERGED, 0);
	/* B calls again: page 0 is new content (registered), page 1 is still A's old page 1 content, whose
	 * entry is stale now (A wrote it): B becomes its new owner */
	wcmd(&b, OP_MADVISE, 0, n);
	counters_read(&c2);
	EXPECT_DELTA(c1, c2, REGISTERED, 2);
	EXPECT_DELTA(c1, c2, STALE, 1);
	EXPECT_DELTA(c1, c2, SAME, n - 2);
	EXPECT(check_all(&a, sa) == 0 && check_all(&b, sb) == 0, "content wrong after the second call");
	reap(&a);
	reap(&b);
	result("cow", ok, NULL);
	free(seeds);
	free(sa);
	free(sb);
}

static void test_owner_exit(void)
{
	const long n = 16;
	uint64_t *seeds = seq_seeds(n, 5000);
	struct counters c0, c1, c2, c3;
	struct worker a, b, c, d;
	int ok = 1;

	spawn(&a, n, seeds);
	spawn(&b, n, seeds);
	spawn(&c, n, seeds);
	spawn(&d, n, seeds);
	wcmd(&a, OP_MADVISE, 0, n);
	wcmd(&b, OP_MADVISE, 0, n);
	counters_read(&c0);
	reap(&a);	/* the owner exits; B still maps the pages */
	counters_read(&c1);
	EXPECT_DELTA(c0, c1, ENTRIES, -n);
	EXPECT_DELTA(c0, c1, SAVED, -n);
	EXPECT(check_all(&b, seeds) == 0, "B's content wrong after the owner's exit");
	wcmd(&c, OP_MADVISE, 0, n);	/* cannot find B's copy: C starts a new one */
	counters_read(&c2);
	EXPECT_DELTA(c1, c2, REGISTERED, n);
	EXPECT_DELTA(c1, c2, MERGED, 0);
	EXPECT_DELTA(c1, c2, STALE, 0);
	wcmd(&d, OP_MADVISE, 0, n);	/* merges into C's */
	counters_read(&c3);
	EXPECT_DELTA(c2, c3, MERGED, n);
	EXPECT_DELTA(c2, c3, SAVED, n);
	EXPECT(check_all(&c, seeds) == 0 && check_all(&d, seeds) == 0, "content wrong");
	reap(&b);
	reap(&c);
	reap(&d);
	result("owner-exit", ok, NULL);
	free(seeds);
}

/*
 * Merged pages inherited by a fork child outlive the owner and the merger: rmap items and stable nodes are
 * dropped at their exits while the child still maps the pages; the child's content stays right.
 */
static void test_fork(void)
{
	const long n = 32;
	uint64_t *seeds = seq_seeds(n, 11000), *sc = seq_seeds(n, 11000);
	struct counters c0, c1, c2, c3, c4;
	struct worker a, b, c, d;
	pid_t pid;
	int ok = 1;

	spawn(&a, n, seeds);
	spawn(&b, n, seeds);
	wcmd(&a, OP_MADVISE, 0, n);
	wcmd(&b, OP_MADVISE, 0, n);
	counters_read(&c0);
	pid = (pid_t)wcmd(&b, OP_FORK, 0, 0);
	if (pid <= 0) {
		note("fork failed");
		result("fork", 0, NULL);
		return;
	}
	c = forked(&b, pid);
	counters_read(&c1);
	EXPECT_DELTA(c0, c1, SAVED, n);	/* a third mapping of each merged page */
	reap(&b);
	counters_read(&c2);
	EXPECT_DELTA(c1, c2, SAVED, -n);
	EXPECT(check_all(&c, sc) == 0, "child's content wrong after the merger's exit");
	wcmd(&c, OP_WRITE, 0, 11900);
	sc[0] = 11900;
	reap(&a);	/* the owner: the pages now live only in the child */
	counters_read(&c3);
	EXPECT(c3.v[SAVED] == 0, "pages_saved %" PRId64 " with one mapping left", c3.v[SAVED]);
	EXPECT(c3.v[ENTRIES] == 0, "table_entries %" PRId64 " after the owner's exit", c3.v[ENTRIES]);
	EXPECT(check_all(&c, sc) == 0, "child's content wrong after the owner's exit");
	/* the child's pages are merged pages of a gone owner: they merge again into a new owner's */
	spawn(&d, n, seeds);
	wcmd(&d, OP_MADVISE, 0, n);
	EXPECT(wcmd(&c, OP_MADVISE, 0, n) == 0, "child's madvise failed");
	counters_read(&c4);
	EXPECT_DELTA(c3, c4, MERGED, n - 1);
	EXPECT_DELTA(c3, c4, REGISTERED, n + 1);
	EXPECT_DELTA(c3, c4, SAVED, n - 1);
	EXPECT(check_all(&d, seeds) == 0 && check_all(&c, sc) == 0, "content wrong after re-merging");
	reap_forked(&c);
	reap(&d);
	counters_read(&c4);
	EXPECT(c4.v[ENTRIES] == 0 && c4.v[SAVED] == 0, "entries %" PRId64 ", saved %" PRId64 " at the end",
	       c4.v[ENTRIES], c4.v[SAVED]);
	result("fork", ok, NULL);
	free(seeds);
	free(sc);
}

static uint8_t low_byte(uint64_t seed)
{
	static uint64_t buf[PAGE / 8];

	fill(buf, seed);
	return (uint8_t)XXH64(buf, PAGE, 0);
}

/* With debug_weak_hash, hash & 0xff: different pages with equal low bytes must not merge. */
static void test_collision(void)
{
	const long n = 32, k = 16, m = 8;
	uint64_t sa[32], sb[32], s = 6000;
	int used[256] = { 0 };
	struct counters c0, c1;
	struct worker a, b;
	long i, j;
	int ok = 1;

	if (access(SYSFS "debug_weak_hash", F_OK)) {
		note("kernel built without CONFIG_UPM_DEBUG_WEAK_HASH");
		result("collision", 0, NULL);
		return;
	}
	/* A: 32 pages with distinct low bytes */
	for (i = 0; i < n; i++) {
		while (used[low_byte(s)])
			s++;
		used[low_byte(s)] = 1;
		sa[i] = s++;
	}
	/* B: k pages colliding with A's first k (different content), m identical to A's next m, the rest with
	 * low bytes nobody uses */
	for (i = 0; i < k; i++) {
		s = 100000 + i * 100000;
		while (low_byte(s) != low_byte(sa[i]))
			s++;
		sb[i] = s;
	}
	for (j = 0; j < m; j++)
		sb[k + j] = sa[k + j];
	s = 7000;
	for (i = k + m; i < n; i++) {
		while (used[low_byte(s)])
			s++;
		used[low_byte(s)] = 1;
		sb[i] = s++;
	}
	counters_read(&c0);
	if (c0.v[ENTRIES] != 0 || write_file(SYSFS "debug_weak_hash", "1")) {
		note("cannot set debug_weak_hash (table_entries %" PRId64 ")", c0.v[ENTRIES]);
		result("collision", 0, NULL);
		return;
	}
	spawn(&a, n, sa);
	spawn(&b, n, sb);
	wcmd(&a, OP_MADVISE, 0, n);
	wcmd(&b, OP_MADVISE, 0, n);
	counters_read(&c1);
	EXPECT_DELTA(c0, c1, COLLISIONS, k);
	EXPECT_DELTA(c0, c1, MERGED, m);
	EXPECT_DELTA(c0, c1, REGISTERED, n + (n - m));
	EXPECT(check_all(&a, sa) == 0 && check_all(&b, sb) == 0, "content wrong: a collision was merged");
	reap(&a);
	reap(&b);
	EXPECT(write_file(SYSFS "debug_weak_hash", "0") == 0, "cannot reset debug_weak_hash");
	result("collision", ok, NULL);
}

/* Several processes call at once on the same content: every page merges exactly once. */
static void test_concurrent(void)
{
	enum { P = 6 };
	const long n = 512, same = 384;
	struct worker w[P];
	uint64_t *seeds[P];
	struct counters c0, c1;
	long i, j, r, bad = 0;
	int ok = 1;

	for (i = 0; i < P; i++) {
		seeds[i] = seq_seeds(n, 8000);
		for (j = same; j < n; j++)
			seeds[i][j] = 9000 + i * n + j;	/* unique */
		spawn(&w[i], n, seeds[i]);
	}
	counters_read(&c0);
	for (i = 0; i < P; i++)
		wsend(&w[i], OP_MADVISE, 0, n);
	for (i = 0; i < P; i++)
		if ((r = wrecv(&w[i])) != 0)
			EXPECT(0, "madvise %ld returned %ld", i, r);
	counters_read(&c1);
	for (i = 0; i < P; i++)
		bad += check_all(&w[i], seeds[i]);
	EXPECT(bad == 0, "%ld pages with wrong content", bad);
	EXPECT_DELTA(c0, c1, REGISTERED, same + P * (n - same));
	EXPECT_DELTA(c0, c1, MERGED, (P - 1) * same);
	EXPECT_DELTA(c0, c1, SAVED, (P - 1) * same);
	EXPECT_DELTA(c0, c1, FAILED, 0);
	for (i = 0; i < P; i++) {
		reap(&w[i]);
		free(seeds[i]);
	}
	result("concurrent", ok, NULL);
}

/* Random madvise / write / exit by several workers over shared contents; every page is checked. */
static void test_stress(int seconds)
{
	enum { P = 6, N = 128 };
	struct worker w[P];
	uint64_t seeds[P][N], rng = 42;
	uint64_t t_end = now_ns() + (uint64_t)seconds * 1000000000ULL;
	long ops = 0, bad = 0, i, j, calls = 0, exits = 0, writes = 0;
	struct counters c;
	char extra[256];
	int ok = 1;

	for (i = 0; i < P; i++) {
		for (j = 0; j < N; j++)
			seeds[i][j] = 10000 + splitmix64(&rng) % 64;	/* 64 contents shared by all */
		spawn(&w[i], N, seeds[i]);
	}
	while (now_ns() < t_end) {
		int op = splitmix64(&rng) % 10;

		i = splitmix64(&rng) % P;
		if (op < 5) {	/* concurrent calls by half of the workers */
			long k, first = i;
			for (k = 0; k < P / 2; k++)
				wsend(&w[(first + k) % P], OP_MADVISE, 0, N);
			for (k = 0; k < P / 2; k++)
				if (wrecv(&w[(first + k) % P]) != 0)
					bad++;
			calls += P / 2;
		} else if (op < 8) {	/* a worker writes a few pages */
			long k;
			for (k = 0; k < 8; k++) {
				j = splitmix64(&rng) % N;
				seeds[i][j] = 10000 + splitmix64(&rng) % 96;
				wcmd(&w[i], OP_WRITE, j, seeds[i][j]);
				writes++;
			}
		} else if (op < 9) {	/* verify one worker */
			bad += check_all(&w[i], seeds[i]);
		} else {	/* a worker exits, a new one takes its place */
			reap(&w[i]);
			for (j = 0; j < N; j++)
				seeds[i][j] = 10000 + splitmix64(&rng) % 64;
			spawn(&w[i], N, seeds[i]);
			exits++;
		}
		ops++;
	}
	for (i = 0; i < P; i++) {
		bad += check_all(&w[i], seeds[i]);
		reap(&w[i]);
	}
	counters_read(&c);
	EXPECT(bad == 0, "%ld failed calls or pages with wrong content", bad);
	EXPECT(c.v[ENTRIES] == 0, "table_entries %" PRId64 " after every worker exited", c.v[ENTRIES]);
	EXPECT(c.v[SAVED] == 0, "pages_saved %" PRId64 " after every worker exited", c.v[SAVED]);
	snprintf(extra, sizeof(extra), "\"seconds\":%d,\"ops\":%ld,\"calls\":%ld,\"writes\":%ld,\"exits\":%ld", seconds,
		 ops, calls, writes, exits);
	result("stress", ok, extra);
}

/* Time of one call per MiB: registering unique pages, merging identical ones, re-calling registered ones. */
static void test_latency(void)
{
	const long mib = 16, n = mib * 256;
	uint64_t *sa = seq_seeds(n, 200000), *sb = seq_seeds(n, 200000);
	struct worker a, b;
	uint64_t t0, t_reg, t_merge, t_again;
	struct counters c0, c1;
	char extra[512];
	int ok = 1;

	spawn(&a, n, sa);
	spawn(&b, n, sb);
	counters_read(&c0);
	t0 = now_ns();
	EXPECT(wcmd(&a, OP_MADVISE, 0, n) == 0, "madvise A");
	t_reg = now_ns() - t0;
	t0 = now_ns();
	EXPECT(wcmd(&b, OP_MADVISE, 0, n) == 0, "madvise B");
	t_merge = now_ns() - t0;
	t0 = now_ns();
	EXPECT(wcmd(&a, OP_MADVISE, 0, n) == 0, "madvise A again");
	t_again = now_ns() - t0;
	counters_read(&c1);
	EXPECT_DELTA(c0, c1, MERGED, n);
	reap(&a);
	reap(&b);
	snprintf(extra, sizeof(extra),
		 "\"mib\":%ld,\"registerNsPerMiB\":%" PRIu64 ",\"mergeNsPerMiB\":%" PRIu64
		 ",\"alreadyRegisteredNsPerMiB\":%" PRIu64 ",\"kernelTimeNs\":%" PRId64 ",\"tcg\":true",
		 mib, t_reg / mib, t_merge / mib, t_again / mib, c1.v[TIME_NS] - c0.v[TIME_NS]);
	result("latency", ok, extra);
	free(sa);
	free(sb);
}

/* ---- conform: a scenario whose in-kernel scans the host replays through the planner's model ---- */

static char *out_buf;
static size_t out_len, out_cap;

static void out_append(const char *p, size_t n)
{
	if (out_len + n + 1 > out_cap) {
		out_cap = (out_len + n + 1) * 2;
		out_buf = realloc(out_buf, out_cap);
	}
	memcpy(out_buf + out_len, p, n);
	out_len += n;
	out_buf[out_len] = 0;
}

static void out_printf(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	out_append(line, n);
}

static int out_file(const char *path)
{
	char buf[65536];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		out_append(buf, n);
	close(fd);
	return n < 0 ? -1 : 0;
}

static int scan(struct worker *w)
{
	char sel[96];

	snprintf(sel, sizeof(sel), "%d %lx %lx", w->pid, w->addr, w->addr + w->pages * PAGE);
	if (write_file(DEBUGFS "pid", sel))
		return -1;
	return out_file(DEBUGFS "scan");
}

static void print_base64(const char *p, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char line[80];
	size_t i, l = 0;

	for (i = 0; i < n; i += 3) {
		uint32_t v = (uint8_t)p[i] << 16 | (i + 1 < n ? (uint8_t)p[i + 1] << 8 : 0) |
			     (i + 2 < n ? (uint8_t)p[i + 2] : 0);
		line[l++] = tab[v >> 18 & 63];
		line[l++] = tab[v >> 12 & 63];
		line[l++] = i + 1 < n ? tab[v >> 6 & 63] : '=';
		line[l++] = i + 2 < n ? tab[v & 63] : '=';
		if (l >= 76) {
			line[l] = 0;
			puts(line);
			l = 0;
		}
	}
	if (l) {
		line[l] = 0;
		puts(line);
	}
}

/*
 * Steps (snapshot k of every live worker is taken right before call k, at time k*1000 ms):
 *   0: A calls   1: B calls   2: C calls   3: A rewrites 10 pages; D calls
 *   4: A has exited; E (new) calls   5: B rewrites 6 merged pages and 1 page it registered; B calls again
 * then the counters, the table and a final scan of every live worker (the observed result).
 */
static void test_conform(void)
{
	enum { N = 256, I = 128, DUP = 32, Z = 16 };
	struct worker w[5];
	uint64_t seeds[5][N];
	struct counters c0, c1;
	int alive[5] = { 1, 1, 1, 1, 0 };
	int ok = 1, step, i, j;
	static const int caller[6] = { 0, 1, 2, 3, 4, 1 };

	for (i = 0; i < 5; i++)
		for (j = 0; j < N; j++) {
			if (j < I)
				seeds[i][j] = 300000 + j;			/* identical in all */
			else if (j < I + DUP)
				seeds[i][j] = 400000 + i * 1000 + (j - I) / 4;	/* groups of 4 within */
			else if (j < I + DUP + Z)
				seeds[i][j] = 0;				/* zero-filled */
			else
				seeds[i][j] = 500000 + i * 1000 + j;		/* unique */
		}
	for (i = 0; i < 4; i++)
		spawn(&w[i], N, seeds[i]);
	counters_read(&c0);
	out_printf("# upm-conform v1\n");
	for (step = 0; step < 6; step++) {
		if (step == 3)
			for (j = 0; j < 10; j++)
				wcmd(&w[0], OP_WRITE, j, 600000 + j);
		if (step == 4) {
			reap(&w[0]);
			alive[0] = 0;
			spawn(&w[4], N, seeds[4]);
			alive[4] = 1;
		}
		if (step == 5) {
			for (j = 0; j < 6; j++)
				wcmd(&w[1], OP_WRITE, 20 + j, 700000 + j);
			wcmd(&w[1], OP_WRITE, 200, 800000);	/* registered: re-registration */
		}
		out_printf("snapshot %d %d\n", step, step * 1000);
		for (i = 0; i < 5; i++)
			if (alive[i] && scan(&w[i]))
				EXPECT(0, "scan of worker %d failed", i);
		i = caller[step];
		out_printf("call %d %lx %lx %d\n", w[i].pid, w[i].addr, w[i].addr + N * PAGE, step * 1000);
		EXPECT(wcmd(&w[i], OP_MADVISE, 0, N) == 0, "madvise at step %d failed", step);
	}
	counters_read(&c1);
	out_printf("counters");
	for (i = 0; i < (int)NCOUNTERS; i++)
		out_printf(" %s=%" PRId64, counter_names[i], c1.v[i] - (i == SAVED || i == ENTRIES ? 0 : c0.v[i]));
	out_printf("\nfinal\n");
	for (i = 0; i < 5; i++)
		if (alive[i] && scan(&w[i]))
			EXPECT(0, "final scan of worker %d failed", i);
	write_file(DEBUGFS "pid", "0");
	EXPECT(out_file(DEBUGFS "entries") == 0, "cannot read the entries");
	out_printf("end\n");
	for (i = 0; i < 5; i++)
		if (alive[i])
			EXPECT(check_all(&w[i], seeds[i]) >= 0, "check");
	EXPECT(c0.v[ENTRIES] == 0, "table not empty before the scenario");
	puts("UPMCONFORM-BEGIN");
	print_base64(out_buf, out_len);
	puts("UPMCONFORM-END");
	for (i = 0; i < 5; i++)
		if (alive[i])
			reap(&w[i]);
	result("conform", ok, NULL);
}

int main(int argc, char **argv)
{
	const char *env = getenv("UPM_STRESS_SECONDS");
	int seconds = env ? atoi(env) : 60;
	int i, all;

	setvbuf(stdout, NULL, _IOLBF, 0);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	signal(SIGPIPE, SIG_IGN);
	if (access(SYSFS "pages_merged", F_OK)) {
		fprintf(stderr, "upm-test: %s missing: not a UPM kernel\n", SYSFS);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		all = !strcmp(argv[i], "all");
		if (all || !strcmp(argv[i], "merge"))
			test_merge();
		if (all || !strcmp(argv[i], "different"))
			test_different();
		if (all || !strcmp(argv[i], "cow"))
			test_cow();
		if (all || !strcmp(argv[i], "owner-exit"))
			test_owner_exit();
		if (all || !strcmp(argv[i], "fork"))
			test_fork();
		if (all || !strcmp(argv[i], "collision"))
			test_collision();
		if (all || !strcmp(argv[i], "concurrent"))
			test_concurrent();
		if (all || !strcmp(argv[i], "conform"))
			test_conform();
		if (all || !strcmp(argv[i], "latency"))
			test_latency();
		if (all || !strcmp(argv[i], "stress"))
			test_stress(seconds);
	}
	return failures ? 1 : 0;
}
