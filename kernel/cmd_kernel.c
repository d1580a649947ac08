/* Shell commands that show the host kernel's state, and power control. */
#include <drivers/virtio_blk.h>
#include <drivers/console.h>
#include <drivers/psci.h>
#include <errno.h>
#include <kernel/cmd_insn.h>
#include <kernel/heap.h>
#include <kernel/lock_stats.h>
#include <kernel/page_alloc.h>
#include <kernel/percpu.h>
#include <kernel/sched.h>
#include <kernel/stack.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include <shell/args.h>
#include <shell/shell.h>
#include <string.h>

static int cmd_uptime(int argc, char **argv)
{
	uint64_t ms = k_uptime_ms();

	(void)argc;
	(void)argv;
	shell_print("uptime %llu.%03llu s", (unsigned long long)(ms / 1000),
		    (unsigned long long)(ms % 1000));
	return 0;
}

static int cmd_cpus(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	shell_print("CPU  MPIDR       STATE");
	for (unsigned i = 0; i < CONFIG_MAX_CPUS; i++) {
		if (!cpus[i].mpidr && i)
			continue;
		shell_print("%-4u 0x%08llx  %s", i, (unsigned long long)cpus[i].mpidr,
			    cpus[i].online ? "online" : "offline");
	}
	return 0;
}

static void print_mem(const char *what, const struct mem_stats *s)
{
	shell_print("%-6s %10zu KiB %10zu KiB %10zu KiB", what, s->total >> 10, s->used >> 10,
		    s->free >> 10);
}

#define MEM_REPORTS 4
static void (*mem_reports[MEM_REPORTS])(void);

int kernel_mem_report_add(void (*fn)(void))
{
	for (unsigned i = 0; i < MEM_REPORTS; i++) {
		if (!mem_reports[i]) {
			mem_reports[i] = fn;
			return 0;
		}
	}
	return -ENOSPC;
}

static int cmd_mem(int argc, char **argv)
{
	struct mem_stats s;

	if (argc == 3 && !strcmp(argv[1], "poison") &&
	    (!strcmp(argv[2], "on") || !strcmp(argv[2], "off"))) {
		k_heap_poison(!strcmp(argv[2], "on"));
		shell_print("heap: freed blocks %s",
			    !strcmp(argv[2], "on") ? "poisoned" : "left as they are");
		return 0;
	}
	if (argc != 1) {
		shell_error("usage: kernel mem [poison on|off]");
		return -EINVAL;
	}
	shell_print("%-6s %14s %14s %14s", "", "total", "used", "free");
	k_heap_stats(&s);
	print_mem("heap", &s);
	page_alloc_stats(&s);
	print_mem("pages", &s);
	for (unsigned i = 0; i < MEM_REPORTS && mem_reports[i]; i++)
		mem_reports[i]();
	unsigned stacks, peak;

	k_stack_stats(&stacks, &peak);
	shell_print("stacks: %u guarded thread stacks in use (peak %u, at most %u)", stacks, peak,
		    K_STACK_SLOTS);
	return 0;
}

static void print_thread(struct k_thread *t, void *arg)
{
	struct k_thread_info info;

	(void)arg;
	k_thread_get_info(t, &info);
	shell_print("%-16s %4d  %-10s %3d  %10llu", info.name, info.prio, info.state, info.cpu,
		    (unsigned long long)k_ticks_to_us(info.runtime_ticks) / 1000);
}

static int cmd_threads(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	shell_print("%-16s %4s  %-10s %3s  %10s", "NAME", "PRIO", "STATE", "CPU", "RUN(ms)");
	k_thread_foreach(print_thread, NULL);
	return 0;
}

static void print_ticks(const char *what, uint64_t ticks)
{
	shell_print("  %-22s %10llu ns", what, (unsigned long long)k_ticks_to_ns(ticks));
}

/* The scheduler lock's contention (docs/scheduling.md): `on` starts counting from zero, `off`
 * stops it; without an argument, the counts so far. */
static int cmd_sched(int argc, char **argv)
{
	struct lock_stats s;
	int count = -1;

	if (argc > 2)
		return -EINVAL;
	if (argc == 2) {
		if (strcmp(argv[1], "on") && strcmp(argv[1], "off"))
			return -EINVAL;
		count = !strcmp(argv[1], "on");
	}
	sched_lock_stats(&s, count);
	if (count >= 0) {
		shell_print("scheduler lock counting %s", count ? "on, from zero" : "off");
		return 0;
	}
	if (!s.acquired) {
		shell_print("scheduler lock: not counted ('kernel sched on' starts counting)");
		return 0;
	}
	shell_print("scheduler lock (z_sched_lock), since 'kernel sched on':");
	shell_print("  %-22s %10llu", "acquisitions", (unsigned long long)s.acquired);
	shell_print("  %-22s %10llu (%llu.%llu%%)", "contended", (unsigned long long)s.contended,
		    (unsigned long long)(s.contended * 100 / s.acquired),
		    (unsigned long long)(s.contended * 1000 / s.acquired % 10));
	print_ticks("longest wait", s.wait_max);
	print_ticks("average wait", s.contended ? s.wait_total / s.contended : 0);
	print_ticks("longest hold", s.hold_max);
	print_ticks("average hold", s.hold_total / s.acquired);
	return 0;
}

/* The console's transmit side (docs/console.md): how often threads waited for room, and what
 * writers that cannot wait (interrupt and exception handlers) had to drop. `line BAUD` paces the
 * output as a board's UART at BAUD would, `line off` stops pacing. */
static int cmd_console(int argc, char **argv)
{
	struct console_stats st;

	if (argc == 3 && !strcmp(argv[1], "line")) {
		uint32_t baud = 0;
		int err;

		if (strcmp(argv[2], "off")) {
			if (args_parse_u32(argv[2], &baud) || baud < 300 ||
			    baud > CONSOLE_LINE_MAX_BAUD) {
				shell_print(
				    "error: line rate %s: give a baud rate of 300-%u or 'off'",
				    argv[2], CONSOLE_LINE_MAX_BAUD);
				return -EIO;
			}
		}
		err = console_set_line_rate(baud);
		if (err) {
			shell_print(
			    "error: the console has no UART interrupt: its output is polled, "
			    "not paced");
			return -EIO;
		}
		shell_print(baud ? "console output paced as a line at %u baud"
				 : "console output at the UART's own pace",
			    baud);
		return 0;
	}
	if (argc != 1)
		return -EINVAL;
	console_stats(&st);
	shell_print("console: %u of %u bytes queued for the line", st.tx_queued, st.tx_size);
	if (st.line_rate)
		shell_print("  %-22s %10u baud (kernel console line)", "paced", st.line_rate);
	shell_print("  %-22s %10llu", "threads waited for room", (unsigned long long)st.tx_waits);
	shell_print("  %-22s %10llu", "bytes dropped (masked)", (unsigned long long)st.tx_dropped);
	return 0;
}

static const struct shell_cmd kernel_subcmds[] = {
    SHELL_SUBCMD(console, "[line BAUD|off]",
		 "console output: queued, waits for room, bytes dropped", cmd_console),
    SHELL_SUBCMD(sched, "[on|off]", "scheduler lock contention: acquisitions, waits, holds",
		 cmd_sched),
    SHELL_SUBCMD(uptime, "", "time since boot", cmd_uptime),
    SHELL_SUBCMD(cpus, "", "CPUs online and their MPIDR", cmd_cpus),
    SHELL_SUBCMD(threads, "", "threads: priority, state, CPU, run time", cmd_threads),
    SHELL_SUBCMD(
	mem, "[poison on|off]",
	"heap, page allocator and compression pool usage (poison: fill freed heap blocks, a "
	"test aid)",
	cmd_mem),
    SHELL_SUBCMD(insn, "start|stop",
		 "instructions this CPU runs at EL2 in between (exact under QEMU -icount)",
		 cmd_kernel_insn),
    SHELL_SUBCMD(blk,
		 "[read NAME SECTOR | write NAME SECTOR PATTERN | zero|discard NAME SECTOR COUNT | "
		 "id NAME | hold NAME on [MS]|off]",
		 "host disks; dump the start of a sector, fill one, zero or discard sectors, or "
		 "the disk's id",
		 cmd_kernel_blk),
    SHELL_SUBCMD_END,
};
SHELL_CMD_REGISTER_SUBCMDS(kernel, "host kernel state", kernel_subcmds);

static int cmd_reboot(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	shell_print("rebooting");
	psci_system_reset();
}
SHELL_CMD_REGISTER(reboot, "restart the machine", cmd_reboot);

static int cmd_poweroff(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	shell_print("powering off");
	psci_system_off();
}
SHELL_CMD_REGISTER(poweroff, "turn the machine off", cmd_poweroff);
