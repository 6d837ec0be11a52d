/* upm-fragment: leaves physical memory fragmented, for the probe benchmark. On a freshly booted host the
 * pages of a new process get nearly consecutive frames, so kpageflags ranges are few; on a host that has run
 * for a while they are scattered. This maps --mib MiB of anonymous memory in 4 KiB pages, touches it, then frees
 * a random --free fraction of it in runs of 1 to --max-run pages, in random order, and keeps the rest: the
 * next allocations get the freed, scattered frames. Prints one JSON line when ready, then waits for
 * SIGTERM/SIGINT. Benchmarks only. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../common/util.h"

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* splitmix64 */
	uint64_t x = (rng_state += 0x9e3779b97f4a7c15ULL);
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

int main(int argc, char **argv)
{
	prog_name = "upm-fragment";
	static const struct option lo[] = { { "mib", 1, 0, 'm' }, { "free", 1, 0, 'f' }, { "max-run", 1, 0, 'r' },
					    { "seed", 1, 0, 's' }, { "help", 0, 0, 'h' }, { 0, 0, 0, 0 } };
	uint64_t mib = 0, max_run = 8, seed = 1;
	double free_frac = 0.5;
	opterr = 0;
	int o;
	while ((o = getopt_long(argc, argv, ":", lo, NULL)) != -1) {
		switch (o) {
		case 'm':
			mib = arg_u64("--mib", optarg, 1, 1u << 22);
			break;
		case 'f': {
			char *end;
			free_frac = strtod(optarg, &end);
			if (end == optarg || *end || !(free_frac >= 0 && free_frac <= 1))
				bad_arg("--free: '%s' is not a fraction in [0, 1]", optarg);
			break;
		}
		case 'r':
			max_run = arg_u64("--max-run", optarg, 1, 1u << 20);
			break;
		case 's':
			seed = arg_u64("--seed", optarg, 0, UINT64_MAX);
			break;
		case 'h':
			printf("Usage: upm-fragment --mib N [--free FRACTION] [--max-run PAGES] [--seed S]\n"
			       "Touch N MiB, free a random FRACTION (default 0.5) of it in runs of 1..PAGES (default 8)\n"
			       "pages, keep the rest until SIGTERM. For benchmarks only.\n");
			return 0;
		case ':':
			bad_arg("option %s needs a value", argv[optind - 1]);
		default:
			bad_arg("unknown option %s", argv[optind - 1]);
		}
	}
	if (optind < argc)
		bad_arg("unexpected argument '%s'", argv[optind]);
	if (!mib)
		bad_arg("no --mib given");
	rng_state = seed;
	const size_t ps = 4096, n = (size_t)(mib << 20) / ps;
	uint8_t *p = mmap(NULL, n * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		diex(1, "cannot map %" PRIu64 " MiB: %s", mib, strerror(errno));
	madvise(p, n * ps, MADV_NOHUGEPAGE); /* 4 KiB frames, so that freeing single pages scatters */
	for (size_t i = 0; i < n; i++)
		p[i * ps] = 1;
	/* Slots of max_run pages, shuffled; the first free_frac of them lose a run at their start. */
	size_t slots = n / max_run;
	uint32_t *order = xmalloc(slots * sizeof *order);
	for (size_t i = 0; i < slots; i++)
		order[i] = (uint32_t)i;
	for (size_t i = slots; i > 1; i--) {
		size_t j = (size_t)(rnd() % i);
		uint32_t t = order[i - 1];
		order[i - 1] = order[j];
		order[j] = t;
	}
	uint64_t freed = 0;
	for (size_t k = 0; k < (size_t)((double)slots * free_frac); k++) {
		size_t len = 1 + (size_t)(rnd() % max_run);
		if (madvise(p + (size_t)order[k] * max_run * ps, len * ps, MADV_DONTNEED) == 0)
			freed += len;
	}
	free(order);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	printf("{\"tool\":\"upm-fragment\",\"pid\":%d,\"pagesTouched\":%zu,\"pagesFreed\":%" PRIu64 "}\n", (int)getpid(),
	       n, freed);
	fflush(stdout);
	int sig;
	sigwait(&set, &sig);
	return 0;
}
