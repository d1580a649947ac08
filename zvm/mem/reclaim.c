/* The low-watermark scanner: one host thread at the lowest priority (K_PRIO_LOWEST, below every
 * VM's vCPUs: it only uses CPU time no VM wants). Every period it reads free host memory (the
 * page allocator's); below the low watermark it compresses cold pages of dynamic VMs, the VM
 * with most resident memory first, until free memory is back at the high watermark
 * (reclaim_policy.h). Cold = access flag clear since the previous pass: a pass clears the flag
 * of every warm page it meets, so the first pass under pressure mostly ages and the next ones
 * take what stayed untouched. The work is mem_dyn_compress_work's: one page per lock section,
 * IRQs on, the stage-2 spinlock only inside each stage2_* call.
 *
 * It also resumes VMs paused by their own fault for want of a host page (mem_reclaim_wait),
 * once enough memory is free again: compressed by this thread, or given back by a deleted VM.
 *
 * The low watermark: /chosen "zvm,mem-low-watermark" (bytes, 1 or 2 cells), else the build's
 * MEM_LOW_WM_MB; `zpool watermark MB` changes it at run time (0: off); `kernel mem` shows it. */
#include <errno.h>
#include <kernel/heap.h>
#include <kernel/init.h>
#include <kernel/init_hook.h>
#include <kernel/mem_stats.h>
#include <kernel/page_alloc.h>
#include <kernel/printk.h>
#include <kernel/sem.h>
#include <kernel/stack.h>
#include <kernel/thread.h>
#include <libfdt.h>
#include <shell/shell.h>
#include <zvm/mem/dyn.h>
#include <zvm/vm.h>
#include <zvm/zvm.h>

#include "reclaim.h"
#include "reclaim_policy.h"
#include "zpool.h"

#ifndef MEM_LOW_WM_MB
#define MEM_LOW_WM_MB 16
#endif
#define PERIOD_IDLE_MS	 100
#define PERIOD_ACTIVE_MS 20

static struct k_thread scanner;
static size_t low_wm; /* bytes; written by the shell, read by the scanner (atomics) */
static struct {
	bool active;
	uint64_t rounds, compressed, zero, warm, resumed;
} st;

static size_t host_free(void)
{
	struct mem_stats ms;

	page_alloc_stats(&ms);
	return ms.free;
}

size_t mem_reclaim_low(void)
{
	return __atomic_load_n(&low_wm, __ATOMIC_RELAXED);
}

void mem_reclaim_set_low(size_t bytes)
{
	__atomic_store_n(&low_wm, bytes, __ATOMIC_RELAXED);
}

/* Wakes the scanner when it sleeps for want of work (no pool and no VM waiting): a thread
 * with nothing to do must not wake up, or sit queued, every period. */
static struct k_sem kick;

void mem_reclaim_wait(struct vm *vm)
{
	__atomic_store_n(&vm->mem.dyn.mem_wait, true, __ATOMIC_SEQ_CST);
	k_sem_give(&kick);
}

/* A round's candidates: dynamic VMs and their resident bytes, indexed by VM id. */
struct round {
	size_t resident[VM_MAX];
	bool done[VM_MAX];
	size_t free;
};

static void collect(struct vm *vm, void *arg)
{
	struct round *r = arg;

	if (vm->mem.dynamic && vm->state != VM_DELETING)
		r->resident[vm->id] = vm->mem.dyn.resident;
}

static void reclaim_round(struct lzo_page_work *work, size_t goal)
{
	struct round *r = k_calloc(1, sizeof(*r));
	int id;

	if (!r)
		return; /* the heap is short too: the next round tries again */
	vm_foreach(collect, r);
	while (goal && (id = mem_reclaim_pick(r->resident, r->done, VM_MAX)) >= 0) {
		struct vm *vm = vm_get((unsigned)id);
		struct mem_compress_result res;

		r->done[id] = true;
		if (!vm)
			continue;
		if (!mem_dyn_compress_work(vm, work, goal, false, &res)) {
			size_t n = res.compressed + res.zero;

			goal = n < goal ? goal - n : 0;
			st.compressed += res.compressed;
			st.zero += res.zero;
			st.warm += res.warm;
		}
		vm_put(vm);
	}
	st.rounds++;
	k_free(r);
}

struct resume_pass {
	size_t free;
	bool waiting; /* a VM still waits for memory after the pass */
};

static void resume_one(struct vm *vm, void *arg)
{
	struct resume_pass *p = arg;
	size_t free = p->free;

	if (!vm->mem.dynamic || !__atomic_load_n(&vm->mem.dyn.mem_wait, __ATOMIC_SEQ_CST))
		return;
	if (!mem_reclaim_may_resume(free, mem_reclaim_low())) {
		p->waiting = true;
		return;
	}
	__atomic_store_n(&vm->mem.dyn.mem_wait, false, __ATOMIC_SEQ_CST);
	/* Only a VM still paused: one run, reset or deleted meanwhile is left alone. */
	if (vm->state == VM_PAUSED && !vm_run(vm)) {
		st.resumed++;
		pr_info("zvm: vm%u (%s) resumed: %zu KiB of host memory free again\n", vm->id,
			vm->name, free >> 10);
	}
}

static void scanner_main(void *a, void *b)
{
	struct lzo_page_work *work = a;

	(void)b;
	for (;;) {
		size_t free = host_free(), low = mem_reclaim_low();

		st.active = work && mem_reclaim_active(st.active, free, low);
		if (st.active)
			reclaim_round(work, mem_reclaim_goal(free, low));
		struct resume_pass pass = {host_free(), false};

		vm_foreach(resume_one, &pass);
		if (!work && !pass.waiting)
			k_sem_take(&kick, K_FOREVER); /* no pool: only a paused VM gives work */
		else
			k_sleep_ms(st.active ? PERIOD_ACTIVE_MS : PERIOD_IDLE_MS);
	}
}

static void print_reclaim(void)
{
	size_t low = mem_reclaim_low();

	shell_print("reclaim: low watermark %zu KiB, high %zu KiB, free %zu KiB, scanner %s",
		    low >> 10, mem_reclaim_high(low) >> 10, host_free() >> 10,
		    !low	? "off"
		    : st.active ? "active"
				: "idle");
	shell_print("  %llu rounds: %llu pages compressed, %llu zero, %llu warm skipped; "
		    "%llu VMs resumed",
		    (unsigned long long)st.rounds, (unsigned long long)st.compressed,
		    (unsigned long long)st.zero, (unsigned long long)st.warm,
		    (unsigned long long)st.resumed);
}

static size_t low_wanted(const void *fdt)
{
	int chosen = fdt ? fdt_path_offset(fdt, "/chosen") : -1;
	const fdt32_t *v;
	int len = 0;

	v = chosen >= 0 ? fdt_getprop(fdt, chosen, "zvm,mem-low-watermark", &len) : NULL;
	if (v && len == 4)
		return fdt32_to_cpu(v[0]);
	if (v && len == 8)
		return (size_t)((uint64_t)fdt32_to_cpu(v[0]) << 32 | fdt32_to_cpu(v[1]));
	if (v)
		pr_warn("reclaim: /chosen zvm,mem-low-watermark must be 1 or 2 cells\n");
	return (size_t)MEM_LOW_WM_MB << 20;
}

static void reclaim_boot(void)
{
	/* No pool, nothing to compress into: the thread only resumes VMs paused for memory. */
	struct lzo_page_work *work = zpool_host() ? k_malloc(sizeof(*work)) : NULL;
	void *stack = k_stack_alloc();

	k_sem_init(&kick, 0, 1);
	mem_reclaim_set_low(zpool_host() ? low_wanted(host_dtb()) : 0);
	if (!stack || k_thread_create(&scanner, stack, K_STACK_SIZE, scanner_main, work, NULL,
				      K_PRIO_LOWEST, 0, "mem-reclaim")) {
		pr_err("reclaim: no scanner thread: no compression under memory pressure\n");
		k_free(work);
		return;
	}
	kernel_mem_report_add(print_reclaim);
}

INIT_HOOK(INIT_HOOK_LATE, reclaim_boot);

int cmd_zpool_watermark(int argc, char **argv)
{
	size_t mb = 0;
	const char *c;

	if (argc == 1) {
		print_reclaim();
		return 0;
	}
	for (c = argv[1]; *c >= '0' && *c <= '9' && mb <= (1u << 20); c++)
		mb = mb * 10 + (size_t)(*c - '0');
	if (argc != 2 || *c || c == argv[1] || mb > (1u << 20)) {
		shell_error("usage: zpool watermark [MB] (0: scanner off)");
		return -EINVAL;
	}
	if (mb && !zpool_host()) {
		shell_error("no compression pool (ZPOOL_MB or /chosen zvm,zpool-size)");
		return -ENODEV;
	}
	mem_reclaim_set_low(mb << 20);
	print_reclaim();
	return 0;
}
