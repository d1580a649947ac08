/* The VM table, references, and building and freeing a VM. State changes: vm_life.c. */
#include <drivers/gic.h>
#include <errno.h>
#include <kernel/heap.h>
#include <kernel/percpu.h>
#include <kernel/printk.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include <lib/format.h>
#include <string.h>
#include <zvm/images.h>
#include <zvm/passthrough.h>
#include <zvm/vdev/vpl061.h>
#include <zvm/placement.h>
#include <zvm/vcpu_internal.h>
#include <zvm/vdev/doorbell.h>
#include <zvm/vdev/vdev.h>
#include <zvm/virtio/virtio_blk.h>
#include <zvm/vdev/vdev_worker.h>
#include <zvm/vdev/vgic.h>
#include <zvm/vdev/vpl011.h>
#include <zvm/vm_internal.h>
#include <zvm/vm_opts.h>
#include <zvm/zvm.h>

static struct vm *vms[VM_MAX];
static struct k_spinlock vms_lock; /* vms[], vm->listed, and vm->refs going up */

/* Only a listed VM that is not being deleted hands out references; vm_delete unlists it under
 * vms_lock, so no reference is taken after that. */
static struct vm *get_locked(struct vm *vm)
{
	if (!vm || !vm->listed || vm->state == VM_DELETING)
		return NULL;
	__atomic_add_fetch(&vm->refs, 1, __ATOMIC_SEQ_CST);
	return vm;
}

struct vm *vm_get(unsigned id)
{
	k_spinlock_key_t key = k_spin_lock(&vms_lock);
	struct vm *vm = get_locked(id < VM_MAX ? vms[id] : NULL);

	k_spin_unlock(&vms_lock, key);
	return vm;
}

static struct vm *find_name_locked(const char *name)
{
	for (unsigned i = 0; i < VM_MAX; i++)
		if (vms[i] && vms[i]->listed && !strcmp(vms[i]->name, name))
			return vms[i];
	return NULL;
}

struct vm *vm_get_name(const char *name)
{
	k_spinlock_key_t key = k_spin_lock(&vms_lock);
	struct vm *vm = get_locked(find_name_locked(name));

	k_spin_unlock(&vms_lock, key);
	return vm;
}

void vm_foreach(void (*cb)(struct vm *vm, void *arg), void *arg)
{
	for (unsigned i = 0; i < VM_MAX; i++) {
		struct vm *vm = vm_get(i);

		if (vm) {
			cb(vm, arg);
			vm_put(vm);
		}
	}
}

/* A free id, and the name checked against every VM's under the same lock: two creations
 * cannot both take a name. The VM stays unlisted until it is built. */
static int reserve_id(struct vm *vm, const char *name)
{
	k_spinlock_key_t key = k_spin_lock(&vms_lock);
	int id = -ENOSPC;

	for (unsigned i = 0; i < VM_MAX; i++)
		if (name && vms[i] && !strcmp(vms[i]->name, name)) {
			id = -EEXIST;
			break;
		}
	for (unsigned i = 0; i < VM_MAX && id == -ENOSPC; i++)
		if (!vms[i]) {
			vms[i] = vm;
			id = (int)i;
			if (name)
				strcpy(vm->name, name);
		}
	k_spin_unlock(&vms_lock, key);
	return id;
}

/* vms_lock held: tells every listed vCPU whether its CPUs are its own, shared or
 * over-committed (zvm/placement.h); each applies it at its next guest entry. */
static void update_cpu_use(void)
{
	/* Static (too big for a thread's stack): only ever used under vms_lock. */
	static uint64_t masks[VM_MAX * VM_MAX_VCPUS];
	static uint8_t use[VM_MAX * VM_MAX_VCPUS];
	static struct vcpu *who[VM_MAX * VM_MAX_VCPUS];
	uint64_t online = cpu_all_mask();
	unsigned n = 0;

	for (unsigned i = 0; i < VM_MAX; i++) {
		if (!vms[i] || !vms[i]->listed)
			continue;
		for (unsigned c = 0; c < vms[i]->nr_vcpus; c++) {
			who[n] = vms[i]->vcpus[c];
			masks[n] = who[n]->thread.cpu_mask;
			n++;
		}
	}
	placement_classify(masks, n, online, use);
	for (unsigned i = 0; i < n; i++) {
		if (who[i]->cpu_use == use[i])
			continue;
		who[i]->cpu_use = use[i];
		/* A dedicated vCPU idle in its guest's WFI would not see the change until its next
		 * slow exit: make it take one (a request makes the exit path go to the thread). */
		if (who[i]->thread.entry)
			vcpu_request(who[i], VCPU_REQ_KICK);
	}
}

static void list_vm(struct vm *vm, bool listed)
{
	k_spinlock_key_t key = k_spin_lock(&vms_lock);

	if (listed) {
		vm->refs = 1; /* the table's */
		vm->listed = true;
	} else {
		vm->listed = false;
		vms[vm->id] = NULL;
	}
	update_cpu_use();
	k_spin_unlock(&vms_lock, key);
}

/* Frees what vm_create built, in reverse; every step tolerates a half-built VM. Its vCPU
 * threads have ended and it is out of the table. */
static void vm_free(struct vm *vm)
{
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i])
			vcpu_destroy(vm->vcpus[i]);
	vdev_destroy_all(vm);
	if (vm->uart)
		vpl011_destroy(vm);
	if (vm->vgic)
		vgic_vm_destroy(vm);
	vm_mem_free(vm);
	stage2_destroy(&vm->s2);
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
	err = vm_mem_init(vm, cfg->mem_bytes, cfg->mem_dynamic);
	if (err) {
		printk("error: not enough free memory for %zu MiB of guest RAM\n",
		       cfg->mem_bytes >> 20);
		return err;
	}
	err = vgic_vm_init(vm);
	if (!err && vgic_is_v2())
		err = vgic_v2_map_cpu_if(vm);
	if (!err)
		err = vpl011_create(vm);
	if (!err) /* the UART is not a vdev: keep its fixed SPI from the others */
		err = vdev_spi_take(&vm->vdevs, VPL011_SPI);
	/* The board's PL061 given to the VM takes the place of its emulated power button. */
	vm->board_gpio = cfg->pass && passthrough_covers(cfg->pass, VPL061_BASE);
	if (!err)
		err = vdev_create_board(vm, cfg->devs);
	if (!err && cfg->disk)
		err = virtio_blk_create(vm, cfg->disk);
	if (!err && cfg->pass)
		err = passthrough_create(vm, cfg->pass);
	if (!err && cfg->shm) /* last: its IPAs are checked against every other device */
		err = doorbell_create(vm, cfg->shm);
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
		v->local_tlbi = el2_vm_local_tlbi(vm);
		err = vcpu_start_thread(v, cfg->vcpu_mask[i] ? cfg->vcpu_mask[i] : cfg->cpu_mask);
	}
	if (!err) /* at the vCPUs' priority, on their CPUs: known only now */
		err = vdev_workers_start(vm);
	if (!err && cfg->budget_us) {
		vm->budget_us = cfg->budget_us;
		vm->period_us = cfg->period_us;
		k_budget_start(&vm->budget, k_us_to_ticks(cfg->budget_us),
			       k_us_to_ticks(cfg->period_us));
		for (unsigned i = 0; i < vm->nr_vcpus && !err; i++)
			err = k_budget_attach(&vm->budget, &vm->vcpus[i]->thread);
		if (!err)
			err = vdev_workers_budget(vm, &vm->budget);
	}
	return err;
}

int vm_create(const struct vm_config *cfg)
{
	const struct guest_type *type = guest_type_find(cfg->type);
	const char *bad;
	struct vm *vm;
	int id, err;

	if (gic_version() != 3 && !vgic_is_v2()) {
		/* The vGIC needs a GICv3 virtual interface or a GICv2 one (GICH) that zvm_init set
		 * up. */
		printk("error: this host's GICv%u has no virtual interface ZVM can use: VMs cannot "
		       "run here\n",
		       gic_version());
		return -ENOTSUP;
	}
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
	if (cfg->name && (bad = vm_name_problem(cfg->name))) {
		printk("error: bad VM name '%s': %s\n", cfg->name, bad);
		return -EINVAL;
	}
	vm = k_calloc(1, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	id = reserve_id(vm, cfg->name);
	if (id < 0) {
		k_free(vm);
		if (id == -EEXIST)
			printk("error: a VM named '%s' exists already\n", cfg->name);
		else
			printk("error: at most %u VMs\n", VM_MAX);
		return id;
	}
	vm->id = (unsigned)id;
	vm->type = type;
	vm->state = VM_CREATED;
	k_mutex_init(&vm->workers_lock);
	vm->on_crash = cfg->on_crash;
	if (!cfg->name)
		fmt_snprintf(vm->name, sizeof(vm->name), "%s-%u", type->name, vm->id);
	err = vm_build(vm, cfg);
	if (err) {
		/* Threads that were started are parked (the VM never ran): stop them first. */
		vm_stop_vcpus(vm);
		list_vm(vm, false);
		vm_free(vm);
		return err;
	}
	list_vm(vm, true);
	return id;
}

void vm_stop_vcpus(struct vm *vm)
{
	/* A throttled vCPU would not run again before its refill to see the stop request. */
	k_budget_stop(&vm->budget);
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i]->thread.entry)
			vcpu_request(vm->vcpus[i], VCPU_REQ_STOP);
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i]->thread.entry)
			k_thread_join(&vm->vcpus[i]->thread, K_FOREVER);
	/* After a reset that is under way has resumed the workers or given up (vm_life.c). */
	k_mutex_lock(&vm->workers_lock, K_FOREVER);
	vdev_workers_stop(vm);
	k_mutex_unlock(&vm->workers_lock);
}

void vm_unlist(struct vm *vm)
{
	list_vm(vm, false);
	vm_put(vm); /* the table's reference */
}

void vm_put(struct vm *vm)
{
	if (!__atomic_sub_fetch(&vm->refs, 1, __ATOMIC_SEQ_CST))
		vm_free(vm);
}
