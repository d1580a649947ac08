/* `kernel insn start|stop`: the instructions this CPU ran at EL2 in between, for benchmarks
 * (bench/blk.py: host instructions per disk request). Under QEMU with -icount, INST_RETIRED
 * is exact; without it QEMU does not count it (0). Uses the PMU's last event counter, which
 * the guests own too (HPMN = all counters): not for use while a guest profiles itself. */
#include <arch/sysreg.h>
#include <errno.h>
#include <kernel/percpu.h>
#include <shell/shell.h>
#include <string.h>

#define PMCR_E	     (1u << 0)
#define PMCR_N(pmcr) (((pmcr) >> 11) & 0x1f)
#define EVT_P	     (1u << 31) /* not at EL1 */
#define EVT_U	     (1u << 30) /* not at EL0 */
#define EVT_NSH	     (1u << 27) /* at EL2 */
#define INST_RETIRED 0x08u

static unsigned started_cpu = ~0u;
static uint64_t saved_pmcr;

static int insn_start(void)
{
	uint64_t pmcr = read_sysreg(pmcr_el0);
	unsigned n = PMCR_N(pmcr);

	if (!n) {
		shell_print("error: no PMU event counter");
		return -ENODEV;
	}
	write_sysreg(pmselr_el0, n - 1);
	isb();
	write_sysreg(pmxevtyper_el0, EVT_P | EVT_U | EVT_NSH | INST_RETIRED);
	write_sysreg(pmxevcntr_el0, 0);
	write_sysreg(pmcntenset_el0, 1ull << (n - 1));
	saved_pmcr = pmcr;
	write_sysreg(pmcr_el0, pmcr | PMCR_E);
	isb();
	started_cpu = cpu_id();
	return 0;
}

static int insn_stop(void)
{
	unsigned n = PMCR_N(read_sysreg(pmcr_el0));
	uint64_t count;

	if (started_cpu == ~0u) {
		shell_print("error: not started (kernel insn start)");
		return -EINVAL;
	}
	/* The PMU is per CPU: the count is the starting CPU's. */
	if (cpu_id() != started_cpu) {
		shell_print("error: started on CPU %u, now on CPU %u", started_cpu, cpu_id());
		return -EINVAL;
	}
	write_sysreg(pmselr_el0, n - 1);
	isb();
	count = read_sysreg(pmxevcntr_el0);
	write_sysreg(pmcntenclr_el0, 1ull << (n - 1));
	write_sysreg(pmcr_el0, saved_pmcr);
	isb();
	started_cpu = ~0u;
	shell_print("EL2 instructions on CPU %u: %llu", cpu_id(), (unsigned long long)count);
	return 0;
}

int cmd_kernel_insn(int argc, char **argv)
{
	if (ARCH_EL != 2) { /* the RTOS build: its counter would count nothing */
		shell_print("error: only in the hypervisor (EL2)");
		return -ENOTSUP;
	}
	if (argc == 2 && !strcmp(argv[1], "start"))
		return insn_start();
	if (argc == 2 && !strcmp(argv[1], "stop"))
		return insn_stop();
	return -EINVAL;
}
