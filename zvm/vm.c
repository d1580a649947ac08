/* VM lifecycle: create, run, pause, delete, and the guest-initiated power-off and reset. */
#include <errno.h>
#include <kernel/heap.h>
#include <kernel/mutex.h>
#include <kernel/printk.h>
#include <kernel/sem.h>
#include <kernel/thread.h>
#include <lib/format.h>
#include <string.h>
#include <zvm/images.h>
#include <zvm/vcpu_internal.h>
#include <zvm/vdev/vgic.h>
#include <zvm/vdev/vpl011.h>
#include <zvm/vm_internal.h>
#include <zvm/vm_opts.h>
#include <zvm/zvm.h>

static struct vm *vms[VM_MAX];
static struct k_spinlock vms_lock;

/* Guest resets run here, not on the resetting vCPU, which must itself be parked meanwhile. The
 * worker finds VMs through vms[] only, under vm_life, which vm_delete holds until the VM is
 * out of vms[] and freed: a reset never touches a deleted VM. */
static struct k_mutex vm_life;
static struct k_thread reset_thread;
static uint8_t reset_stack[CONFIG_THREAD_STACK_SIZE] __attribute__((aligned(16)));
static struct k_sem reset_sem;

const char *vm_state_name(enum vm_state s)
{
	static const char *const names[] = {"created", "running", "paused", "halted"};

	return s <= VM_HALTED ? names[s] : "?";
}

struct vm *vm_find(unsigned id)
{
	return id < VM_MAX ? vms[id] : NULL;
}

struct vm *vm_find_name(const char *name)
{
	for (unsigned i = 0; i < VM_MAX; i++)
		if (vms[i] && !strcmp(vms[i]->name, name))
			return vms[i];
	return NULL;
}

void vm_foreach(void (*cb)(struct vm *vm, void *arg), void *arg)
{
	for (unsigned i = 0; i < VM_MAX; i++)
		if (vms[i])
			cb(vms[i], arg);
}

/* Makes every vCPU, the calling one included, go back to its loop and look at the VM state. */
static void kick_all(struct vm *vm)
{
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		vcpu_request(vm->vcpus[i], VCPU_REQ_KICK);
}

static int reserve_id(struct vm *vm)
{
	k_spinlock_key_t key = k_spin_lock(&vms_lock);
	int id = -ENOSPC;

	for (unsigned i = 0; i < VM_MAX; i++)
		if (!vms[i]) {
			vms[i] = vm;
			id = (int)i;
			break;
		}
	k_spin_unlock(&vms_lock, key);
	return id;
}

static void release_id(struct vm *vm)
{
	k_spinlock_key_t key = k_spin_lock(&vms_lock);

	vms[vm->id] = NULL;
	k_spin_unlock(&vms_lock, key);
}

/* Frees what vm_create built, in reverse; every step tolerates a half-built VM. */
static void vm_free(struct vm *vm)
{
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i])
			vcpu_destroy(vm->vcpus[i]);
	if (vm->uart)
		vpl011_destroy(vm);
	if (vm->vgic)
		vgic_vm_destroy(vm);
	vm_mem_free(vm);
	stage2_destroy(&vm->s2);
	release_id(vm);
	k_free(vm);
}

/* The priority asked for, else the guest type's default (docs/scheduling.md). */
static unsigned vm_prio(const struct vm *vm, const struct vm_config *cfg)
{
	return cfg->prio ? cfg->prio : vm->type->prio ? vm->type->prio : VM_PRIO_DEFAULT;
}

static int vm_build(struct vm *vm, const struct vm_config *cfg)
{
	int err = stage2_create(&vm->s2);

	if (err)
		return err;
	err = vm_mem_init(vm, cfg->mem_bytes);
	if (err) {
		printk("error: not enough free memory for %zu MiB of guest RAM\n",
		       cfg->mem_bytes >> 20);
		return err;
	}
	err = vgic_vm_init(vm);
	if (!err)
		err = vpl011_create(vm);
	for (unsigned i = 0; !err && i < cfg->nr_vcpus; i++) {
		vm->vcpus[i] = vcpu_create(vm, i);
		if (!vm->vcpus[i])
			err = -ENOMEM;
		else
			vm->nr_vcpus = i + 1;
	}
	if (err)
		return err;
	err = vm_boot_load(vm);
	if (err) {
		printk("error: guest images of '%s' do not fit in the VM: %d\n", vm->type->name,
		       err);
		return err;
	}
	for (unsigned i = 0; i < vm->nr_vcpus && !err; i++) {
		struct vcpu *v = vm->vcpus[i];

		fmt_snprintf(v->name, sizeof(v->name), "vm%u/vcpu%u", vm->id, i);
		if (i == 0) {
			vcpu_reset_regs(v, vm->entry, vm->dtb_ipa);
			v->power = VCPU_ON;
		}
		v->prio = vm_prio(vm, cfg);
		err = vcpu_start_thread(v, cfg->vcpu_mask[i] ? cfg->vcpu_mask[i] : cfg->cpu_mask);
	}
	return err;
}

int vm_create(const struct vm_config *cfg)
{
	const struct guest_type *type = guest_type_find(cfg->type);
	struct vm *vm;
	int id, err;

	if (!type) {
		printk("error: unknown guest type '%s'\n", cfg->type);
		return -ENOENT;
	}
	if (!cfg->nr_vcpus || cfg->nr_vcpus > VM_MAX_VCPUS) {
		printk("error: a VM has 1 to %u vCPUs\n", VM_MAX_VCPUS);
		return -EINVAL;
	}
	if (cfg->mem_bytes < (2u << 20) || cfg->mem_bytes % (2u << 20)) {
		printk("error: guest memory must be a non-zero multiple of 2 MiB\n");
		return -EINVAL;
	}
	if (cfg->name && vm_find_name(cfg->name)) {
		printk("error: a VM named '%s' exists already\n", cfg->name);
		return -EEXIST;
	}
	vm = k_calloc(1, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	id = reserve_id(vm);
	if (id < 0) {
		k_free(vm);
		printk("error: at most %u VMs\n", VM_MAX);
		return id;
	}
	vm->id = (unsigned)id;
	vm->type = type;
	vm->state = VM_CREATED;
	if (cfg->name)
		fmt_snprintf(vm->name, sizeof(vm->name), "%s", cfg->name);
	else
		fmt_snprintf(vm->name, sizeof(vm->name), "%s-%u", type->name, vm->id);
	err = vm_build(vm, cfg);
	if (err) {
		/* Threads that were started are parked (the VM never ran): stop them first. */
		vm->state = VM_HALTED;
		for (unsigned i = 0; i < vm->nr_vcpus; i++)
			if (vm->vcpus[i]->thread.entry) {
				vcpu_request(vm->vcpus[i], VCPU_REQ_STOP);
				k_thread_join(&vm->vcpus[i]->thread, K_FOREVER);
			}
		vm_free(vm);
		return err;
	}
	return id;
}

int vm_run(struct vm *vm)
{
	if (vm->reset_requested)
		return -EBUSY; /* the reset worker brings it back */
	if (vm->state == VM_RUNNING)
		return -EALREADY;
	if (vm->state == VM_HALTED)
		return -ECANCELED;
	vm->state = VM_RUNNING;
	kick_all(vm);
	return 0;
}

int vm_pause(struct vm *vm)
{
	if (vm->reset_requested)
		return -EBUSY;
	if (vm->state != VM_RUNNING)
		return -EINVAL;
	vm->state = VM_PAUSED;
	kick_all(vm);
	return 0;
}

int vm_delete(struct vm *vm)
{
	k_mutex_lock(&vm_life, K_FOREVER);
	vm->state = VM_HALTED;
	vm->reset_requested = false;
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		vcpu_request(vm->vcpus[i], VCPU_REQ_STOP);
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		k_thread_join(&vm->vcpus[i]->thread, K_FOREVER);
	vm_free(vm);
	k_mutex_unlock(&vm_life);
	return 0;
}

void vm_power_off(struct vm *vm)
{
	vm->state = VM_HALTED;
	kick_all(vm);
	printk("\nzvm: vm%u (%s) powered off\n", vm->id, vm->name);
}

void vm_crash(struct vm *vm, const char *why)
{
	vm->state = VM_HALTED;
	kick_all(vm);
	printk("\nzvm: vm%u (%s) stopped: %s\n", vm->id, vm->name, why);
}

void vm_request_reset(struct vm *vm)
{
	enum vm_state s = vm->state;

	/* Powered off or being deleted: it stays down, also when that happens meanwhile. */
	do {
		if (s == VM_HALTED)
			return;
	} while (!__atomic_compare_exchange_n(&vm->state, &s, VM_PAUSED, false, __ATOMIC_SEQ_CST,
					      __ATOMIC_SEQ_CST));
	vm->reset_requested = true;
	kick_all(vm);
	k_sem_give(&reset_sem);
}

/* The VM's devices as after power-on; their per-vCPU parts follow on each vCPU's reset. */
static void vm_devices_reset(struct vm *vm)
{
	vgic_reset(vm);
	vpl011_reset(vm);
}

static bool all_parked(struct vm *vm)
{
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		if (!vm->vcpus[i]->parked)
			return false;
	return true;
}

/* Waits until every vCPU of a resetting VM is parked, reloads its images and starts it again
 * from vCPU 0, as a machine coming out of reset. vm_life held. */
static void reset_vm(struct vm *vm)
{
	if (!vm || !vm->reset_requested)
		return;
	while (!all_parked(vm))
		k_sleep_ms(1);
	vm->reset_requested = false;
	if (vm->state == VM_HALTED)
		return; /* powered off meanwhile */
	if (vm_boot_load(vm)) {
		vm_crash(vm, "cannot reload its images for the reset");
		return;
	}
	vm_devices_reset(vm);
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		vcpu_request(vm->vcpus[i], VCPU_REQ_RESET);
	vm->state = VM_RUNNING;
	kick_all(vm);
	printk("\nzvm: vm%u (%s) reset\n", vm->id, vm->name);
}

static void reset_worker(void *a, void *b)
{
	(void)a;
	(void)b;
	for (;;) {
		k_sem_take(&reset_sem, K_FOREVER);
		for (unsigned id = 0; id < VM_MAX; id++) {
			k_mutex_lock(&vm_life, K_FOREVER);
			reset_vm(vms[id]);
			k_mutex_unlock(&vm_life);
		}
	}
}

void vm_manager_init(void)
{
	k_mutex_init(&vm_life);
	k_sem_init(&reset_sem, 0, VM_MAX);
	/* At the vCPUs' priority: a guest resetting in a loop gets no more CPU than one running. */
	k_thread_create(&reset_thread, reset_stack, sizeof(reset_stack), reset_worker, NULL, NULL,
			VCPU_PRIO, 0, "vm-reset");
}
