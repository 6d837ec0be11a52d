# Opt-in to KSM before exec: prctl(PR_SET_MEMORY_MERGE = 67, 1) marks the whole mm MMF_VM_MERGE_ANY;
# since Linux 6.7 (ksm_execve) the flag is carried over to the new mm by execve, so the node process
# that replaces python (same pid) has every compatible VMA VM_MERGEABLE (ksm_stat "ksm_merge_any: yes",
# checked by main.ts). Arguments are unsigned long (the kernel refuses non-zero arg3..arg5).
#   python3 -c "$(cat prctl-exec.py)" PROGRAM ARGS...   (collect.ts passes it with -c)
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
z = ctypes.c_ulong(0)
if libc.prctl(ctypes.c_int(67), ctypes.c_ulong(1), z, z, z) != 0:
    sys.stderr.write('prctl(PR_SET_MEMORY_MERGE): %s\n' % os.strerror(ctypes.get_errno())); sys.exit(3)
os.execv(sys.argv[1], sys.argv[1:])
