/* VM state changes (run, pause, reset, power-off, crash, delete) and the vm-life worker that
 * does the long ones (reloading a VM for a reset, deleting a crashed VM) on a thread, IRQs
 * enabled, never in an exit handler. Every state change goes through vm_event(). */
#include <errno.h>
#include <kernel/budget.h>
#include <kernel/panic.h>
#include <kernel/stack.h>
#include <kernel/printk.h>
#include <kernel/sem.h>
#include <kernel/thread.h>
#include <zvm/vcpu_internal.h>
#include <zvm/vdev/vgic.h>
#include <zvm/vdev/vpl011.h>
#include <zvm/vdev/vdev.h>
#include <zvm/vm_internal.h>
#include <zvm/zvm.h>

#define VM_WORK_RESET  (1u << 0)
#define VM_WORK_DELETE (1u << 1)

static struct k_thread life_thread;
static struct k_sem life_sem;

void vm_kick_all(struct vm *vm)
{
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		vcpu_request(vm->vcpus[i], VCPU_REQ_KICK);
}

/* vm->lock held (then the scheduler's, in k_budget_hold: never the other way round). A VM
 * that leaves `running` has its budget held, so throttled vCPUs still run to where they park
 * instead of holding up a pause or a reset until the refill. */
static int event_locked(struct vm *vm, enum vm_event e)
{
	enum vm_state next;
	int err = vm_state_next(vm->state, e, &next);

	if (!err) {
		vm->state = next;
		if (vm->budget_us) /* the scheduler's lock only for a VM that has a budget */
			k_budget_hold(&vm->budget, next != VM_RUNNING);
	}
	return err;
}

int vm_event(struct vm *vm, enum vm_event e)
{
	k_spinlock_key_t key = k_spin_lock(&vm->lock);
	/* A VM whose vCPU thread an EL2 fault ended never resets (its thread would not park):
	 * decided under the lock that vm_crash_faulted() sets faulted under. */
	int err = e == VM_EV_RESET && vm->faulted ? -EPERM : event_locked(vm, e);

	k_spin_unlock(&vm->lock, key);
	return err;
}

static void queue_work(struct vm *vm, unsigned work)
{
	__atomic_or_fetch(&vm->work, work, __ATOMIC_SEQ_CST);
	k_sem_give(&life_sem);
}

int vm_run(struct vm *vm)
{
	int err = vm_event(vm, VM_EV_RUN);

	if (!err)
		vm_kick_all(vm);
	return err;
}

int vm_pause(struct vm *vm)
{
	int err = vm_event(vm, VM_EV_PAUSE);

	if (!err)
		vm_kick_all(vm);
	return err;
}

static int delete_vm(struct vm *vm, bool wait)
{
	int err = vm_event(vm, VM_EV_DELETE);

	if (err)
		return err;
	vm_stop_vcpus(vm);
	vm_unlist(vm);
	/* Whoever else holds a reference (the worker in a reset) sees `deleting` and lets go
	 * soon; then the caller's vm_put() frees the VM, so memory is back when we return. */
	while (wait && __atomic_load_n(&vm->refs, __ATOMIC_SEQ_CST) > 1)
		k_sleep_ms(1);
	return 0;
}

int vm_delete(struct vm *vm)
{
	return delete_vm(vm, true);
}

int vm_power_off(struct vm *vm)
{
	int err = vm_event(vm, VM_EV_POWER_OFF);

	if (err)
		return err; /* resetting or going away already */
	vm_kick_all(vm);
	printk("\nzvm: vm%u (%s) powered off\n", vm->id, vm->name);
	return 0;
}

static const char *const crash_policy[] = {"stays crashed", "resetting", "deleting"};

static bool crash(struct vm *vm, const char *why)
{
	if (vm_event(vm, VM_EV_CRASH))
		return false;
	vm_kick_all(vm);
	printk("\nzvm: vm%u (%s) crashed: %s; %s\n", vm->id, vm->name, why,
	       vm->faulted && vm->on_crash == VM_CRASH_RESET ? "stays crashed (no reset after an "
							       "EL2 fault)"
							     : crash_policy[vm->on_crash]);
	return true;
}

void vm_crash(struct vm *vm, const char *why)
{
	if (!crash(vm, why))
		return;
	if (vm->on_crash == VM_CRASH_RESET)
		vm_request_reset(vm);
	else if (vm->on_crash == VM_CRASH_DELETE)
		queue_work(vm, VM_WORK_DELETE);
}

void vm_crash_faulted(struct vm *vm, const char *why)
{
	k_spinlock_key_t key = k_spin_lock(&vm->lock);

	vm->faulted = true;
	k_spin_unlock(&vm->lock, key);
	if (crash(vm, why) && vm->on_crash == VM_CRASH_DELETE)
		queue_work(vm, VM_WORK_DELETE);
}

int vm_request_reset(struct vm *vm)
{
	int err = vm_event(vm, VM_EV_RESET); /* -EPERM after an EL2 fault */

	if (err)
		return err;
	vm_kick_all(vm);
	queue_work(vm, VM_WORK_RESET);
	return 0;
}

/* The VM's devices as after power-on; their per-vCPU parts follow on each vCPU's reset. */
static void vm_devices_reset(struct vm *vm)
{
	vgic_reset(vm);
	vpl011_reset(vm);
	vdev_reset_all(vm);
}

static bool all_parked(struct vm *vm)
{
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		if (!vm->vcpus[i]->parked)
			return false;
	return true;
}

/* Waits until every vCPU of a resetting VM is parked, reloads its images and starts it again
 * from vCPU 0, as a machine coming out of reset. The state stays `resetting` until the reload
 * is complete, so nothing (`zvm run`, a guest's CPU_ON) can start a vCPU on half-cleared RAM. */
static void reset_steps(struct vm *vm)
{
	vm->reset_step = "parking its vCPUs";
	while (!all_parked(vm)) {
		if (vm->state != VM_RESETTING)
			return; /* deleted meanwhile */
		k_sleep_ms(1);
	}
	/* No device worker may touch guest RAM while it is cleared and reloaded; a delete that
	 * comes meanwhile stops them after this (vm_stop_vcpus), once the load gave up. */
	k_mutex_lock(&vm->workers_lock, K_FOREVER);
	if (vm->state != VM_RESETTING) {
		k_mutex_unlock(&vm->workers_lock);
		return;
	}
	vm->reset_step = "waiting for its device workers";
	vdev_quiesce_all(vm);
	vm->reset_step = "clearing and reloading its RAM";
	int err = vm_boot_load(vm);

	if (err) {
		k_mutex_unlock(&vm->workers_lock);
		vm->reset_step = NULL;
		if (err != -ECANCELED) /* deleted meanwhile */
			crash(vm, "cannot reload its images for the reset");
		return;
	}
	vm->reset_step = "resetting its devices";
	vm_devices_reset(vm);
	k_mutex_unlock(&vm->workers_lock);

	/* Power states as at power-on, set before any vCPU can run again: vCPU 0 on, the others
	 * off. Each vCPU resets its registers from VCPU_REQ_RESET before it next enters. */
	k_spinlock_key_t key = k_spin_lock(&vm->lock);

	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = vm->vcpus[i];

		__atomic_and_fetch(&v->requests, ~(VCPU_REQ_POWERON | VCPU_REQ_OFF | VCPU_REQ_WFI),
				   __ATOMIC_SEQ_CST);
		__atomic_or_fetch(&v->requests, VCPU_REQ_RESET, __ATOMIC_SEQ_CST);
		v->power = i == 0 ? VCPU_ON : VCPU_OFF;
	}
	vm->reset_step = NULL; /* before reset_done: running never shows a step */
	err = event_locked(vm, VM_EV_RESET_DONE);
	k_spin_unlock(&vm->lock, key);
	if (err)
		return; /* deleted meanwhile */
	vm_kick_all(vm);
	printk("\nzvm: vm%u (%s) reset\n", vm->id, vm->name);
}

static void reset_vm(struct vm *vm)
{
	reset_steps(vm);
	vm->reset_step = NULL; /* also where it gave up */
}

static void life_worker(void *a, void *b)
{
	(void)a;
	(void)b;
	for (;;) {
		k_sem_take(&life_sem, K_FOREVER);
		for (unsigned id = 0; id < VM_MAX; id++) {
			struct vm *vm = vm_get(id);

			if (!vm)
				continue;
			unsigned work = __atomic_exchange_n(&vm->work, 0, __ATOMIC_SEQ_CST);

			/* At the VM's own priority: clearing a low-priority VM's RAM must not delay
			 * a higher one, nor a guest resetting in a loop get more CPU than running.
			 */
			if (work)
				k_thread_set_priority(&life_thread, (int)vm->vcpus[0]->prio);

			if (work & VM_WORK_DELETE) {
				/* Without waiting: a `zvm look` may hold the VM. */
				if (!delete_vm(vm, false))
					printk("\nzvm: vm%u (%s) deleted\n", vm->id, vm->name);
			} else if (work & VM_WORK_RESET) {
				reset_vm(vm);
			}
			vm_put(vm);
		}
	}
}

void vm_manager_init(void)
{
	k_sem_init(&life_sem, 0, VM_MAX);
	/* Each job runs at its VM's priority (life_worker); waiting, at the default vCPU one. */
	void *stack = k_stack_alloc();

	if (!stack || k_thread_create(&life_thread, stack, K_STACK_SIZE, life_worker, NULL, NULL,
				      VCPU_PRIO, 0, "vm-life"))
		panic("cannot start the vm-life thread");
}
