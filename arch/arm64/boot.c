/* C side of the boot: the order in which the kernel's pieces come up on each CPU (at EL2 as the
 * hypervisor host, at EL1 as the RTOS image; include/arch/el.h). */
#include <arch/boot.h>
#include <arch/el.h>
#include <arch/irq.h>
#include <arch/mmu.h>
#include <arch/sysreg.h>
#include <drivers/arch_timer.h>
#include <drivers/console.h>
#include <drivers/gic.h>
#include <drivers/uart.h>
#include <drivers/psci.h>
#include <kernel/init.h>
#include <kernel/stack.h>
#include <kernel/init_hook.h>
#include <kernel/panic.h>
#include <kernel/percpu.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/thread.h>
#include <kernel/version.h>

#define MPIDR_AFF_MASK 0xff00ffffffULL

uint8_t boot_stacks[CONFIG_MAX_CPUS][BOOT_STACK_SIZE] __attribute__((aligned(16)));
extern char _image_start[], _image_end[];
extern uint64_t image_load_offset; /* head.S: load address - link address */

static struct board board;
static const void *boot_dtb;
/* MPIDRs in CPU-id order: the boot CPU is always CPU 0. */
static uint64_t cpu_mpidrs[CONFIG_MAX_CPUS];
static struct k_thread main_thread;

const struct board *host_board(void)
{
	return &board;
}

const void *host_dtb(void)
{
	return boot_dtb;
}

_Noreturn static void stop(void)
{
	arch_irq_disable();
	for (;;)
		wfi();
}

static void order_cpus(void)
{
	uint64_t self = read_sysreg(mpidr_el1) & MPIDR_AFF_MASK;
	unsigned n = 1;

	cpu_mpidrs[0] = self;
	for (unsigned i = 0; i < board.nr_cpus && n < CONFIG_MAX_CPUS; i++)
		if (board.cpu[i].mpidr != self)
			cpu_mpidrs[n++] = board.cpu[i].mpidr;
}

/* The console's UART is mapped by mmu_init_primary, before the MMU goes on. */
static void map_devices(void)
{
	int err = mmu_map(board.gic.dist.base, board.gic.dist.size, MMU_DEVICE);

	for (unsigned i = 0; i < board.gic.nr_redist && !err; i++)
		err = mmu_map(board.gic.redist[i].base, board.gic.redist[i].size, MMU_DEVICE);
	/* GICv2: the CPU interface, and the virtual interface control the vGIC will drive. */
	if (!err && board.gic.cpu_if.size)
		err = mmu_map(board.gic.cpu_if.base, board.gic.cpu_if.size, MMU_DEVICE);
	if (!err && board.gic.hyp.size)
		err = mmu_map(board.gic.hyp.base, board.gic.hyp.size, MMU_DEVICE);
	if (err)
		panic("cannot map the host devices: %d", err);
}

static void map_ram(void)
{
	uintptr_t img_lo = (uintptr_t)_image_start, img_hi = (uintptr_t)_image_end;

	for (unsigned i = 0; i < board.nr_mem; i++) {
		uint64_t lo = board.mem[i].base, hi = lo + board.mem[i].size;
		int err = 0;

		if (img_lo >= lo && img_hi <= hi) {
			err = mmu_map(lo, img_lo - lo, MMU_RAM_RW);
			err = err ?: mmu_map(img_hi, hi - img_hi, MMU_RAM_RW);
		} else {
			err = mmu_map(lo, hi - lo, MMU_RAM_RW);
		}
		if (err)
			panic("cannot map RAM bank %u: %d", i, err);
	}
}

void boot_primary(uintptr_t dtb, unsigned current_el)
{
	int err;

	/* this_cpu() is NULL until el_cpu_setup: a panic before then must see that (the
	 * register's reset value is UNKNOWN). Not at the wrong level: it would UNDEF there. */
	if (current_el == ARCH_EL)
		write_sysreg(TPIDR_ELx, 0);
	/* The console first, alone: from here on every boot failure is reported on it. Only a
	 * tree with no usable UART (or no tree) leaves nowhere to say so. */
	err = board_parse_console((const void *)dtb, &board);
	uart_init(&board);
	printk("\n" EL_IMAGE_NAME " %s starting\n", ZVM_VERSION);
	if (current_el != ARCH_EL) {
		printk(EL_IMAGE_NAME " must be entered at " EL_NAME " but was entered at EL%u%s. "
				     "Stopping.\n",
		       current_el,
		       ARCH_EL == 2 ? ": enable virtualization (QEMU: -M virt,virtualization=on)"
				    : ": boot it without virtualization, or as a VM");
		stop();
	}
	if (image_load_offset)
		pr_info("image at 0x%lx, relocated from its link address 0x%lx\n",
			(unsigned long)_image_start,
			(unsigned long)((uintptr_t)_image_start - image_load_offset));
	err = err ?: board_parse_rest((const void *)dtb, &board);
	if (err)
		panic("boot device tree: %s", board.err);
	gic_select(board.gic.version); /* while the MMU is off: it may patch the text */
	/* What the tables leave out is safe to leave unused, but not in silence. */
	if (board.mem_ignored)
		pr_warn("boot device tree: %u RAM bank(s) past the first %u left unused\n",
			board.mem_ignored, BOARD_MAX_MEM);
	if (board.cpus_ignored)
		pr_warn("boot device tree: %u CPU(s) past the first %u left offline\n",
			board.cpus_ignored, CONFIG_MAX_CPUS);
	if (board.timer.intid[EL_TIMER_IDX] < 0)
		panic("boot device tree: the timer node gives no interrupt for the " EL_NAME
		      " timer");
	boot_dtb = (const void *)dtb;
	order_cpus();
	cpus[0].id = 0;
	cpus[0].mpidr = cpu_mpidrs[0];
	el_cpu_setup(0);

	err = mmu_init_primary(board.uart.present ? board.uart.reg.base : 0,
			       board.uart.present ? board.uart.reg.size : 0);
	if (err)
		panic("cannot map the console UART at 0x%llx: %d",
		      (unsigned long long)board.uart.reg.base, err);
	map_ram();
	map_devices();
	mem_init(&board, dtb, fdt_totalsize((const void *)dtb));

	psci_init(board.psci.method == BOARD_PSCI_HVC);
	if (gic_init(&board))
		panic("GICv%u initialisation failed", board.gic.version);
	if (gic_cpu_init())
		panic("the GICv%u has no CPU interface for the boot CPU", board.gic.version);
	smp_init_ipis();
	smp_init_cpu_ipis();
	arch_timer_init_cpu(board.timer.intid[EL_TIMER_IDX]);
	sched_init();
	if (board.uart.intid >= 0)
		console_init_irq(board.uart.intid);
	init_hooks_run(INIT_HOOK_BOOT);
	init_hooks_run(INIT_HOOK_CPU);

	cpus[0].online = true;
	mmu_publish_for_secondaries();
	smp_boot_secondaries(cpu_mpidrs,
			     board.nr_cpus < CONFIG_MAX_CPUS ? board.nr_cpus : CONFIG_MAX_CPUS);
	/* Created last, so that it sees every CPU online. */
	void *main_stack = k_stack_alloc();

	if (!main_stack || k_thread_create(&main_thread, main_stack, K_STACK_SIZE, kernel_main,
					   NULL, NULL, 1, 0, "main"))
		panic("cannot start the main thread");
	sched_start_cpu();
}

void boot_secondary(unsigned cpu)
{
	el_cpu_setup(cpu);
	if (gic_cpu_init())
		panic("the GICv%u has no CPU interface for CPU %u", board.gic.version, cpu);
	smp_init_cpu_ipis();
	arch_timer_init_cpu(board.timer.intid[EL_TIMER_IDX]);
	init_hooks_run(INIT_HOOK_CPU);
	__atomic_store_n(&cpus[cpu].online, true, __ATOMIC_RELEASE);
	sched_start_cpu();
}
