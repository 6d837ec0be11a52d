# UPM on Linux 6.12 (kernel/upm/): included from kernel/Makefile.
#   make -C kernel upm-kernel   patch Debian's linux-source-6.12 and build a small bzImage (cached, -j2)
#   make -C kernel upm-test     boot it in QEMU (TCG) with the tests; fails on any failed test or a timeout
#   make -C kernel upm-latency  the latency test on a kernel without the debug options (bzImage-fast)
#   make -C kernel upm-functions  Python + numpy in the guest: data-numpy N = 1, 2, 4 under UPM (results-functions/)
# Outputs in build/upm/ (bzImage, results/). Missing Debian packages are installed (exit 3 if impossible).
.PHONY: upm-deps upm-kernel upm-test upm-latency upm-functions
upm-deps:
	@sh upm/scripts/deps.sh
upm-kernel: upm-deps
	@sh upm/scripts/build-kernel.sh
upm-test: upm-kernel
	@sh upm/scripts/run-tests.sh
upm-latency: upm-deps
	@UPM_VARIANT=fast sh upm/scripts/build-kernel.sh
	@UPM_VARIANT=fast UPM_TESTS=latency sh upm/scripts/run-tests.sh
# Python + numpy guest (issue 12): data-numpy N times under real UPM; results in build/upm/results-functions/
.PHONY: upm-functions
upm-functions: upm-kernel
	@sh upm/scripts/run-functions.sh
