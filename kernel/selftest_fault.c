/* `selftest` subcommands: a CPU crashed or a stack overflowed on purpose, for the panic path. */
#include "selftest_internal.h"

/* --- fault ------------------------------------------------------------------------------------ */

#define FAULT_WAIT_S 5 /* how long the shell thread outlives the panic if nothing stops it */

/* Inside the 48-bit VA range but above any physical address QEMU's virt board can have, so
 * never part of the identity map: the load takes a translation fault. Volatile, so the
 * compiler cannot see the address and turn the load into something else. */
static volatile uintptr_t fault_addr = 0x0000dead00000040ULL;

static void fault_worker(void *a, void *b)
{
	(void)a;
	(void)b;
	shell_print("fault: cpu %u (MPIDR 0x%llx) loading from 0x%016llx", cpu_id(),
		    (unsigned long long)this_cpu()->mpidr, (unsigned long long)fault_addr);
	(void)*(volatile uint64_t *)fault_addr;
}

/* Runs out of stack: each level keeps a frame the compiler cannot drop (volatile) and adds to
 * the result after the call (no tail call). The bound is never reached: 16 KiB of stack holds
 * a few dozen levels. */
static unsigned overflow_level(unsigned depth)
{
	volatile uint8_t frame[256];

	frame[0] = (uint8_t)depth;
	if (depth > 1000000)
		return frame[0];
	return overflow_level(depth + 1) + frame[0];
}

static void overflow_worker(void *a, void *b)
{
	(void)a;
	(void)b;
	shell_print("overflow: cpu %u recursing until the stack guard", cpu_id());
	shell_print("overflow: reached the end without a fault (%u)", overflow_level(0));
}

/* selftest fault / overflow: a thread on that CPU that crashes the system on purpose. */
static int crash_on_cpu(int argc, char **argv, const char *name, void (*worker)(void *, void *),
			const char *what)
{
	struct st_verdict v = {0};
	struct st_thread *t = NULL;
	uint32_t cpu;

	if (argc != 3 || strcmp(argv[2], "--yes-crash") != 0) {
		shell_error("selftest %s crashes the system on purpose; confirm with --yes-crash",
			    name);
		return -EINVAL;
	}
	if (args_parse_u32(argv[1], &cpu) || cpu >= CONFIG_MAX_CPUS ||
	    !(st_online_mask() & (1ULL << cpu))) {
		shell_error("no online cpu '%s'", argv[1]);
		return -EINVAL;
	}
	/* Most urgent, so it runs at once whatever that CPU is doing. */
	if (!st_spawn_into(&t, &v, name, cpu, worker, NULL, 0, 1ULL << cpu))
		return st_result(name, &v);
	/* A panic stops every CPU, this one included, so normally nothing below runs. */
	int err = k_thread_join(&t->thread, K_SECONDS(FAULT_WAIT_S));

	if (err) {
		/* The thread is stuck on its halted CPU: its memory stays allocated. */
		st_fail(&v, "cpu %u panicked but cpu %u kept running for %u s", (unsigned)cpu,
			cpu_id(), FAULT_WAIT_S);
	} else {
		k_stack_free(t->stack);
		k_free(t);
		st_fail(&v, "%s", what);
	}
	return st_result(name, &v);
}

int selftest_fault(int argc, char **argv)
{
	return crash_on_cpu(argc, argv, "fault", fault_worker, "the load did not fault");
}

int selftest_overflow(int argc, char **argv)
{
	return crash_on_cpu(argc, argv, "overflow", overflow_worker,
			    "the thread ran off its stack without a fault");
}
