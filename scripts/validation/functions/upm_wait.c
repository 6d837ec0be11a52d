/*
 * upm_wait.so: the last step of a function that opts in to UPM, in C so that no Python code runs (and
 * writes refcounts into its pages) between the probe of the warm container and its madvise call:
 *   1. block in read(infd) until the driver sends one byte (the driver probes the process meanwhile);
 *   2. one madvise(start, len, advice) over the range given (the process's private mappings);
 *   3. write "merged RC ERRNO NS" to outfd (NS: the call's duration, CLOCK_MONOTONIC);
 *   4. block in read(infd) again until the driver sends another byte or closes the pipe.
 * Only the stack changes between the probe and the call. Built by functions/build.sh.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

long upm_wait_merge(int infd, int outfd, unsigned long start, unsigned long len, int advice)
{
	char c;
	char buf[128];
	struct timespec a, b;
	if (read(infd, &c, 1) != 1)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &a);
	long r = syscall(SYS_madvise, start, len, advice);
	int e = r ? errno : 0;
	clock_gettime(CLOCK_MONOTONIC, &b);
	long ns = (b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec);
	int n = snprintf(buf, sizeof buf, "merged %ld %d %ld\n", r, e, ns);
	if (write(outfd, buf, n) != n)
		return -2;
	if (read(infd, &c, 1) < 0)
		return -3;
	return r;
}
