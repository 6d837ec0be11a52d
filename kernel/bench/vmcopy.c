/* upm-vmcopy: the baseline for the probe benchmark. It does upm-probe's pagemap walk over the same VMAs with
 * the same batching, but copies every present page with process_vm_readv and does nothing else: no hashing,
 * no kpageflags, no output. Prints {"bytes":..,"seconds":..,"gbps":..} on stdout.
 * Benchmarks only: process_vm_readv unshares copy-on-write and KSM pages it reads (see docs/probe.md). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/smaps.h"
#include "../common/util.h"
#include "../common/walk.h"

static void on_batch(void *ctx, size_t vma_index, const struct vma *v, struct wpage *pages, size_t n,
		     const uint8_t *data)
{
	(void)ctx, (void)vma_index, (void)v, (void)pages, (void)n, (void)data;
}

int main(int argc, char **argv)
{
	prog_name = "upm-vmcopy";
	static const struct option lo[] = { { "pid", 1, 0, 'p' }, { "batch-pages", 1, 0, 'b' },
					    { "help", 0, 0, 'h' }, { "version", 0, 0, 'V' }, { 0, 0, 0, 0 } };
	pid_t *pids = NULL;
	size_t npids = 0, batch = 512;
	opterr = 0;
	int o;
	while ((o = getopt_long(argc, argv, ":", lo, NULL)) != -1) {
		switch (o) {
		case 'p':
			pids = xrealloc(pids, (npids + 1) * sizeof *pids);
			pids[npids++] = (pid_t)arg_u64("--pid", optarg, 1, 4194304);
			break;
		case 'b':
			batch = (size_t)arg_u64("--batch-pages", optarg, 1, 1u << 20);
			break;
		case 'h':
			printf("Usage: upm-vmcopy --pid PID [--pid PID]... [--batch-pages N]\n"
			       "Copy the present pages of the processes with process_vm_readv (upm-probe's walk, no\n"
			       "hashing) and print {\"bytes\",\"seconds\",\"gbps\"}. For benchmarks only.\n");
			return 0;
		case 'V':
			printf("upm-vmcopy %s\n", UPM_VERSION);
			return 0;
		case ':':
			bad_arg("option %s needs a value", argv[optind - 1]);
		default:
			bad_arg("unknown option %s", argv[optind - 1]);
		}
	}
	if (optind < argc)
		bad_arg("unexpected argument '%s'", argv[optind]);
	if (!npids)
		bad_arg("no --pid given");
	long psz = sysconf(_SC_PAGESIZE);
	struct walk_config cfg = { .page_size = psz > 0 ? (size_t)psz : 4096,
				   .batch_pages = batch,
				   .kpageflags_fd = -1,
				   .mode = READ_VM };
	struct vma_list vl = { 0 };
	struct walk_stats tot = { 0 };
	int failures = 0;
	double t0 = now_mono_s(), c0 = cpu_time_s();
	for (size_t i = 0; i < npids; i++) {
		char dir[32];
		snprintf(dir, sizeof dir, "/proc/%d", (int)pids[i]);
		int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0) {
			warnx_("%s: %s", dir, strerror(errno));
			failures++;
			continue;
		}
		int r = smaps_read(dfd, &vl);
		struct walker w;
		if (r == 0)
			r = walker_open(&w, &cfg, pids[i], dfd);
		if (r) {
			warnx_("pid %d: %s", (int)pids[i], strerror(-r));
			failures++;
			close(dfd);
			continue;
		}
		for (size_t k = 0; k < vl.n && r == 0; k++)
			r = walker_vma(&w, k, &vl.v[k], on_batch, NULL);
		if (r) {
			warnx_("pid %d: %s", (int)pids[i], strerror(-r));
			failures++;
		}
		tot.pages_read_vm += w.stats.pages_read_vm;
		tot.pages_failed += w.stats.pages_failed;
		tot.read_calls += w.stats.read_calls;
		walker_close(&w);
		close(dfd);
	}
	double s = now_mono_s() - t0, cpu = cpu_time_s() - c0;
	uint64_t bytes = tot.pages_read_vm * cfg.page_size;
	printf("{\"tool\":\"upm-vmcopy\",\"bytes\":%" PRIu64 ",\"seconds\":%.6f,\"gbps\":%.4f,\"cpuSeconds\":%.6f,"
	       "\"pagesFailed\":%" PRIu64 ",\"readCalls\":%" PRIu64 "}\n",
	       bytes, s, s > 0 ? (double)bytes / s / 1e9 : 0.0, cpu, tot.pages_failed, tot.read_calls);
	vma_list_clear(&vl);
	free(vl.v);
	free(pids);
	return failures == (int)npids ? 1 : 0;
}
