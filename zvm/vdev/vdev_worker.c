/* Device worker threads (include/zvm/vdev/vdev_worker.h). */
#include <errno.h>
#include <kernel/budget.h>
#include <stddef.h>
#include <kernel/heap.h>
#include <kernel/mutex.h>
#include <kernel/printk.h>
#include <kernel/recover.h>
#include <kernel/percpu.h>
#include <kernel/sched.h>
#include <kernel/sem.h>
#include <kernel/smp.h>
#include <kernel/stack.h>
#include <kernel/thread.h>
#include <lib/format.h>
#include <zvm/vcpu.h>
#include <zvm/vdev/vdev.h>
#include <zvm/vdev/vdev_worker.h>
#include <zvm/vm.h>

struct vdev_worker {
	struct k_thread thread;
	struct k_sem wake;
	void (*work)(struct vdev *d);
	struct vdev *dev;
	void *stack;
	bool started;
	/* Dekker pair with seq_cst accesses: quiesce sets paused then waits for !busy; the thread
	 * sets busy then checks paused. Either quiesce sees busy, or the thread sees paused. */
	volatile bool paused, busy, stop;
	volatile bool faulted;	       /* an EL2 fault cut a pass short: work() never runs again */
	volatile uint8_t fault_inject; /* debug: the next pass faults (VDEV_FAULT_*, `zvm fault`) */
	struct k_recover recover;      /* armed during each pass */
	char name[K_THREAD_NAME_MAX];
};

int vdev_worker_init(struct vdev *d, void (*work)(struct vdev *d))
{
	struct vdev_worker *w = k_calloc(1, sizeof(*w));

	if (!w)
		return -ENOMEM;
	w->stack = k_stack_alloc();
	if (!w->stack) {
		k_free(w);
		return -ENOMEM;
	}
	k_sem_init(&w->wake, 0, 1); /* wakes fold: one pass of work() serves them all */
	w->work = work;
	w->dev = d;
	d->worker = w;
	return 0;
}

static uint64_t *volatile bad_ptr = (uint64_t *)0x0000dead00000080ULL;
static struct k_mutex fault_mutex; /* debug: held across VDEV_FAULT_MUTEX's fault, for good */

static void worker_pass(void *a)
{
	struct vdev_worker *w = a;
	unsigned how = w->fault_inject;

	if (how) {
		w->fault_inject = VDEV_FAULT_NONE;
		printk("\nzvm: %s: injected EL2 fault in the device worker%s\n", w->name,
		       how == VDEV_FAULT_MUTEX ? ", holding a mutex" : "");
		if (how == VDEV_FAULT_MUTEX) {
			k_mutex_init(&fault_mutex);
			k_mutex_lock(&fault_mutex, K_FOREVER); /* the fault must panic */
		}
		*bad_ptr = 0; /* a bad pointer, as a bug in a device model would use */
	}
	w->work(w->dev);
}

/* Exception context, IRQs masked (kernel/recover.h). */
static void worker_fault(struct k_recover *r)
{
	struct vdev_worker *w =
	    (struct vdev_worker *)((char *)r - offsetof(struct vdev_worker, recover));
	struct vm *vm = w->dev->vm;

	w->faulted = true;
	printk("\nvm %u (%s): EL2 fault in its device worker %s: VM stopped\n", vm->id, vm->name,
	       w->name);
	vm_crash_faulted(vm, "EL2 fault in a device worker");
}

static void worker_main(void *a, void *b)
{
	struct vdev_worker *w = a;

	(void)b;
	for (;;) {
		/* Looked at before sleeping too: a pass that waits on the wake-up
		 * (vdev_worker_sem) may have taken the stop's. stop is set before that give. */
		if (__atomic_load_n(&w->stop, __ATOMIC_SEQ_CST))
			return;
		if (k_sem_take(&w->wake, K_FOREVER)) /* a quiesce dropped the wake */
			continue;
		if (__atomic_load_n(&w->stop, __ATOMIC_SEQ_CST))
			return;
		__atomic_store_n(&w->busy, true, __ATOMIC_SEQ_CST);
		if (!__atomic_load_n(&w->paused, __ATOMIC_SEQ_CST) && !w->faulted) {
			/* After a fault the device leaves what it shares with other VMs at once
			 * (the disk scheduler's urgency, a switch port): its VM can only be
			 * deleted, which may be long in coming. Stopping twice is harmless (delete
			 * stops it again). */
			if (k_call_recoverable(&w->recover, worker_pass, w) && w->dev->ops->stop)
				w->dev->ops->stop(w->dev);
			w->dev->worker_runs++;
		}
		__atomic_store_n(&w->busy, false, __ATOMIC_SEQ_CST);
	}
}

int vdev_workers_start(struct vm *vm)
{
	uint64_t mask = 0;
	int prio = vm->nr_vcpus ? (int)vm->vcpus[0]->prio : K_PRIO_LOWEST;

	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		mask |= vm->vcpus[i]->thread.cpu_mask;
	for (struct vdev *d = vm->vdevs.head; d; d = d->next) {
		struct vdev_worker *w = d->worker;
		int err;

		if (!w || w->started)
			continue;
		fmt_snprintf(w->name, sizeof(w->name), "vm%u/%s", vm->id, d->name);
		w->recover.fault = worker_fault;
		w->recover.what = "synchronous exception in the hypervisor, in a device worker";
		w->thread.recover = &w->recover;
		err = k_thread_create(&w->thread, w->stack, K_STACK_SIZE, worker_main, w, NULL,
				      prio, mask, w->name);
		if (err)
			return err;
		w->started = true;
	}
	return 0;
}

void vdev_worker_wake(struct vdev *d)
{
	k_sem_give(&d->worker->wake);
}

struct k_sem *vdev_worker_sem(struct vdev *d)
{
	return &d->worker->wake;
}

void vdev_worker_kick(struct vdev *d)
{
	/* This CPU's exit path switches through need_resched (k_yield_to): no reschedule SGI to
	 * itself for the wake (it would only land in the worker as an empty interrupt). The next
	 * entry sets it again if it still applies. */
	sched_native_wait_end();
	k_sem_give(&d->worker->wake);
	if (k_yield_to(&d->worker->thread))
		__atomic_fetch_add(&d->worker_handoffs, 1, __ATOMIC_RELAXED);
	else /* as the wake would have (z_ready): WFI traps at the next entry */
		z_resched_cpu(cpu_id());
}

/* The caller waits for w's pass to end: w runs at least as urgently as the caller meanwhile
 * (its VM's vCPUs are stopped, but a more urgent VM's busy vCPU on w's CPU would keep it from
 * finishing, and an idle CPU does not come to take it). Raised, never lowered: the ceiling w
 * holds the disk under (blk_sched) stays. Lent again at each look, as the end of that ceiling
 * or of a mutex gives back the priority saved before the loan. */
static void lend_priority(struct vdev_worker *w)
{
	if (w->started)
		k_thread_raise(&w->thread, k_thread_priority(k_current()));
}

void vdev_worker_quiesce(struct vdev *d)
{
	struct vdev_worker *w = d->worker;

	__atomic_store_n(&w->paused, true, __ATOMIC_SEQ_CST);
	lend_priority(w);
	while (__atomic_load_n(&w->busy, __ATOMIC_SEQ_CST)) {
		k_sleep_ms(1);
		lend_priority(w);
	}
	/* Idle now (paused, no pass, so no ceiling or mutex held): the loan back. */
	if (w->started)
		k_thread_set_priority(&w->thread, w->thread.base_prio);
	k_sem_reset(&w->wake);
}

void vdev_worker_resume(struct vdev *d)
{
	__atomic_store_n(&d->worker->paused, false, __ATOMIC_SEQ_CST);
}

void vdev_worker_stop(struct vdev *d)
{
	struct vdev_worker *w = d->worker;

	if (!w)
		return;
	if (w->started) {
		__atomic_store_n(&w->stop, true, __ATOMIC_SEQ_CST);
		lend_priority(w);
		k_sem_give(&w->wake);
		while (k_thread_join(&w->thread, K_MSEC(1)) == -EAGAIN)
			lend_priority(w);
	}
	k_stack_free(w->stack);
	k_free(w);
	d->worker = NULL;
}

unsigned long vdev_worker_runs(const struct vdev *d)
{
	return d->worker_runs;
}

unsigned long vdev_worker_handoffs(const struct vdev *d)
{
	return d->worker_handoffs;
}

void vdev_workers_fault_arm(struct vm *vm, unsigned how)
{
	for (struct vdev *d = vm->vdevs.head; d; d = d->next) {
		if (!d->worker)
			continue;
		d->worker->fault_inject = (uint8_t)how;
		vdev_worker_wake(d);
	}
}

int vdev_workers_budget(struct vm *vm, struct k_budget *b)
{
	for (struct vdev *d = vm->vdevs.head; d; d = d->next) {
		int err = d->worker ? k_budget_attach(b, &d->worker->thread) : 0;

		if (err)
			return err;
	}
	return 0;
}

unsigned vdev_worker_count(struct vm *vm)
{
	unsigned n = 0;

	for (struct vdev *d = vm->vdevs.head; d; d = d->next)
		n += d->worker != NULL;
	return n;
}

bool vdev_worker_should_yield(const struct vdev *d)
{
	const struct vdev_worker *w = d->worker;

	return w && (__atomic_load_n(&w->paused, __ATOMIC_SEQ_CST) ||
		     __atomic_load_n(&w->stop, __ATOMIC_SEQ_CST) || w->fault_inject);
}
