/* `zvm stat ID` (docs/scheduling.md): where each vCPU is, what it may use and what it costs. */
#include <kernel/percpu.h>
#include <kernel/time.h>
#include <lib/format.h>
#include <shell/shell.h>
#include <zvm/placement.h>
#include <zvm/vcpu.h>
#include <zvm/vdev/vdev_worker.h>
#include <zvm/vm.h>
#include <zvm/vm_stat.h>

/* "1", "1+3", "any": the CPUs a vCPU may use, as `zvm new -p` writes them. */
static void mask_str(uint64_t mask, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	uint64_t online = cpu_all_mask();

	if ((mask & online) == online) {
		fmt_snprintf(buf, size, "any");
		return;
	}
	for (unsigned c = 0; c < 64 && n + 4 < size; c++)
		if (mask & (1ULL << c))
			n += (size_t)fmt_snprintf(buf + n, size - n, n ? "+%u" : "%u", c);
}

void vm_stat_print(struct vm *vm)
{
	shell_print("VCPU %-5s %-9s %3s %-7s %4s %9s %10s %8s %8s %8s %8s  %-8s  %s", "POWER",
		    "STATE", "CPU", "PIN", "PRIO", "TIME(ms)", "EXITS", "WFI", "IRQ", "HVC", "MMIO",
		    "PC", "CPUS");
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		const struct vcpu *v = vm->vcpus[i];
		struct k_thread_info ti;
		char pin[24];

		if (k_thread_get_info(&v->thread, &ti)) {
			ti.state = "stopped";
			ti.cpu = -1;
			ti.prio = (int)v->prio;
			ti.cpu_mask = 0;
			ti.runtime_ticks = 0;
		}
		mask_str(ti.cpu_mask, pin, sizeof(pin));
		shell_print(
		    "%-4u %-5s %-9s %3d %-7s %4d %9llu %10llu %8llu %8llu %8llu %8llu  %-8llx  %s",
		    i, v->power == VCPU_ON ? "on" : "off", ti.state, ti.cpu, pin, ti.prio,
		    (unsigned long long)k_ticks_to_ms(ti.runtime_ticks),
		    (unsigned long long)v->exits, (unsigned long long)v->wfi_exits,
		    (unsigned long long)v->irq_exits, (unsigned long long)v->hvc_exits,
		    (unsigned long long)v->mmio_exits, (unsigned long long)v->regs.pc,
		    cpu_use_name(v->cpu_use));
	}
	if (vm->budget_us) {
		struct budget_acct a;

		k_budget_read(&vm->budget, &a);
		unsigned workers = vdev_worker_count(vm);

		shell_print("budget %u.%u/%u ms for %u vCPU%s and %u device worker%s: %llu us used "
			    "this period, %s, throttled %llu times",
			    vm->budget_us / 1000, vm->budget_us % 1000 / 100, vm->period_us / 1000,
			    vm->nr_vcpus, vm->nr_vcpus == 1 ? "" : "s", workers,
			    workers == 1 ? "" : "s", (unsigned long long)k_ticks_to_us(a.used),
			    a.throttled ? "throttled now" : "running",
			    (unsigned long long)a.throttles);
	}
}
