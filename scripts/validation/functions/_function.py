"""Shared start and end of the serverless-style functions in this folder (see README.md).

A function module calls `opt_in()` first (before its heavy imports: KSM's prctl must come before the
memory it should merge is mapped... prctl(PR_SET_MEMORY_MERGE) marks the VMAs that exist and every later
one), then initialises, serves one request, and calls `warm(info)`: it prints `ready {json}` on stdout and
idles as a warm container. With --merge upm it first makes one madvise(MADV_UPM_MERGE) call over all its
private mappings (from the lowest start to the highest end in /proc/self/maps; holes and ineligible VMAs
are skipped by the kernel) when the driver sends a byte on stdin, through upm_wait.so so that no Python code
runs between the driver's probe and the call. It exits when stdin closes.

Arguments: --merge none|ksm|upm, --cache DIR (weights and data, made by prepare.py), --upm-wait SO.
"""
import ctypes
import json
import os
import sys

PR_SET_MEMORY_MERGE = 67
MADV_UPM_MERGE = 120  # kernel/upm/patches: include/uapi/asm-generic/mman-common.h


def args():
    out = {"merge": "none", "cache": None, "upm_wait": None}
    a = sys.argv[1:]
    i = 0
    while i < len(a):
        k = a[i]
        if k in ("--merge", "--cache", "--upm-wait") and i + 1 < len(a):
            out[k[2:].replace("-", "_")] = a[i + 1]
            i += 2
        else:
            sys.stderr.write("unknown argument %r (--merge none|ksm|upm --cache DIR --upm-wait SO)\n" % k)
            sys.exit(2)
    if out["merge"] not in ("none", "ksm", "upm"):
        sys.stderr.write("--merge must be none, ksm or upm, got %r\n" % out["merge"])
        sys.exit(2)
    if not out["cache"]:
        sys.stderr.write("--cache DIR is required (python3 prepare.py DIR makes it)\n")
        sys.exit(2)
    return out


ARGS = args()
libc = ctypes.CDLL(None, use_errno=True)


def opt_in():
    if ARGS["merge"] == "ksm":
        z = ctypes.c_ulong(0)
        if libc.prctl(ctypes.c_int(PR_SET_MEMORY_MERGE), ctypes.c_ulong(1), z, z, z) != 0:
            sys.stderr.write("prctl(PR_SET_MEMORY_MERGE): %s\n" % os.strerror(ctypes.get_errno()))
            sys.exit(3)
    if ARGS["merge"] == "upm" and not ARGS["upm_wait"]:
        sys.stderr.write("--merge upm needs --upm-wait PATH/upm_wait.so\n")
        sys.exit(2)


def cache(name):
    p = os.path.join(ARGS["cache"], name)
    if not os.path.exists(p):
        sys.stderr.write("%s is missing: run python3 scripts/validation/functions/prepare.py %s\n" % (p, ARGS["cache"]))
        sys.exit(4)
    return p


def private_range():
    lo, hi = None, None
    with open("/proc/self/maps") as f:
        for line in f:
            parts = line.split()
            a, b = (int(x, 16) for x in parts[0].split("-"))
            if parts[1][3] != "p" or (len(parts) > 5 and parts[5] == "[vsyscall]"):
                continue
            lo = a if lo is None else min(lo, a)
            hi = b if hi is None else max(hi, b)
    return lo, hi


def warm(info):
    info = dict(info, pid=os.getpid(), merge=ARGS["merge"])
    if ARGS["merge"] == "upm":
        lib = ctypes.CDLL(ARGS["upm_wait"])
        lib.upm_wait_merge.restype = ctypes.c_long
        lib.upm_wait_merge.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_int]
        lo, hi = private_range()
        info["range"] = [lo, hi]
        sys.stdout.write("ready " + json.dumps(info) + "\n")
        sys.stdout.flush()
        # blocks until the driver sends a byte, calls madvise, reports, blocks until the next byte or EOF
        lib.upm_wait_merge(0, 1, lo, hi - lo, MADV_UPM_MERGE)
    else:
        sys.stdout.write("ready " + json.dumps(info) + "\n")
        sys.stdout.flush()
    # a warm container: blocked in read(0) until stdin closes, no timers, no allocation
    while os.read(0, 4096):
        pass
