/* `selftest`: exercises the kernel services live (threads on every CPU, sleeping, time slices,
 * preemption, semaphores, mutexes, timers, the allocators, the panic path) and prints
 * machine-readable lines for tests/system/test_kernel.py. Every subcommand ends with
 * "selftest <name>: PASS" or "selftest <name>: FAIL <reason>".
 *
 * Worker threads run at ST_PRIO, less urgent than the shell thread, so the shell can still print
 * while they keep every CPU busy. Their structs come from the heap and their stacks from the page
 * allocator, and both are given back before the command returns: each command compares the
 * allocators' usage before and after, and so do the tests with `kernel mem`. That counts every
 * allocation in the system, so run them with no VM being created or deleted. Buffers are filled by
 * hand-written loops rather than memset, which may use SIMD registers in picolibc. */
#include "selftest_internal.h"

static const struct shell_cmd selftest_subcmds[] = {
    SHELL_SUBCMD(smp, "", "busy threads on every cpu, pinned and not", selftest_smp),
    SHELL_SUBCMD(sleep, "<ms>", "sleep accuracy and wake-up order", selftest_sleep),
    SHELL_SUBCMD(slice, "[cpu]", "round robin of two equal threads on one cpu", selftest_slice),
    SHELL_SUBCMD(prio, "[cpu]", "preemption of a busy thread by an urgent one", selftest_prio),
    SHELL_SUBCMD(sync, "", "semaphores, mutexes, timeouts and timers across cpus", selftest_sync),
    SHELL_SUBCMD(heap, "", "concurrent heap and page allocations, no leaks", selftest_heap),
    SHELL_SUBCMD(fault, "<cpu> --yes-crash", "crash that cpu on purpose (panic dump)",
		 selftest_fault),
    SHELL_SUBCMD(overflow, "<cpu> --yes-crash", "overflow a thread's stack on that cpu on purpose",
		 selftest_overflow),
    SHELL_SUBCMD_END,
};
SHELL_CMD_REGISTER_SUBCMDS(selftest, "exercise the kernel services live", selftest_subcmds);
