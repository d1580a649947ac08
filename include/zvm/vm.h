/* A virtual machine: its memory, stage-2 tables, VMID, virtual devices and vCPUs. */
#ifndef ZVM_VM_H
#define ZVM_VM_H

#include <kernel/budget.h>
#include <kernel/mutex.h>
#include <kernel/spinlock.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zvm/mem/dyn.h>
#include <zvm/mmio.h>
#include <zvm/stage2.h>
#include <zvm/vdev/vdev.h>
#include <zvm/vm_name.h>
#include <zvm/vm_state.h>

#define VM_MAX		64	      /* VMIDs are 8 bits; placement is linear in vCPUs */
#define VM_RAM_BASE	0x40000000ULL /* guest RAM starts where QEMU virt's does */
#define VM_MAX_VCPUS	8
#define VM_CONSOLE_SIZE (16 * 1024) /* the last output kept for `zvm look` */

/* What a VM does when its guest reports a panic (pvpanic) or stops it with an SError. */
enum vm_on_crash { VM_CRASH_STAY, VM_CRASH_RESET, VM_CRASH_DELETE };

/* One physically contiguous piece of guest RAM (the seed design's vm_mem_block). */
struct vm_mem_block {
	uint64_t ipa;
	uintptr_t pa;
	size_t size;
	struct vm_mem_block *next;
};

/* All of a VM's RAM: one IPA range backed by a list of blocks (vm_mem_partition). Static:
 * `blocks`, mapped whole at creation. Dynamic: `blocks` stays empty, `dyn` holds the pages. */
struct vm_mem_partition {
	uint64_t ipa_base;
	size_t size;
	struct vm_mem_block *blocks;
	bool dynamic;
	struct mem_dyn dyn;
};

/* The guest's console: a ring of its recent output, and who is attached. */
struct vm_console {
	struct k_spinlock lock;
	char ring[VM_CONSOLE_SIZE];
	size_t head;	/* total bytes ever written; ring holds the last VM_CONSOLE_SIZE */
	size_t sent;	/* replaying: bytes of head taken for the host console (shown or dropped) */
	bool replaying; /* attached, and the replay has not caught up with head yet */
	volatile bool attached;
	size_t dropped; /* attached output the host console had no room for, not yet reported */
	uint64_t reported_ms; /* uptime of the last drop report (at most one a second) */
};

struct vcpu;
struct vgic_dist;
struct vpl011;
struct vpl061;
struct virtio_mmio_dev;
struct guest_type;

struct vm {
	unsigned id;
	char name[VM_NAME_MAX];
	const struct guest_type *type; /* where its images come from */
	/* Changed only through vm_event(), under lock; read without it for a snapshot. */
	volatile enum vm_state state;
	struct k_spinlock lock; /* state, vCPU power states (vcpu->power) */
	int refs;		/* vm_get()/vm_put(); the VM table holds one while listed */
	bool listed;		/* built and in the table: vm_get() may find it */
	volatile unsigned work; /* VM_WORK_* for the vm-life worker */
	/* What a reset under way is doing (`zvm info`), NULL otherwise; vm-life writes it. */
	const char *volatile reset_step;
	enum vm_on_crash on_crash;
	volatile bool faulted; /* vm_crash_faulted(): never reset */
	/* `--budget`: all its vCPUs together get at most budget_us of CPU in every period_us
	 * (both 0: no budget). */
	uint32_t budget_us, period_us;
	struct k_budget budget;

	struct stage2 s2;
	struct vm_mem_partition mem;
	struct mmio_bus mmio;

	unsigned nr_vcpus;
	struct vcpu *vcpus[VM_MAX_VCPUS];
	/* The vCPU loaded last on each CPU (vcpu_load): another one's TLB entries may be left. */
	struct vcpu *last_loaded[CONFIG_MAX_CPUS];

	struct vgic_dist *vgic;
	struct vpl011 *uart;
	struct vpl061 *gpio;	     /* power button; NULL with board_gpio */
	bool board_gpio;	     /* the board's PL061 is the VM's (--pass): no emulated one */
	struct virtio_mmio_dev *hvc; /* its virtio console (hvc0 input), with the VM */
	struct vm_console console;
	struct vdev_set vdevs; /* the devices beyond the vGIC and the UART (vdev.h) */
	/* Held by a reset from its workers' quiesce to their resume, and by their stop: a delete
	 * during a reset (two threads) must not free a worker that the reset still waits for. */
	struct k_mutex workers_lock;

	uint64_t entry;	    /* first vCPU's PC */
	uint64_t dtb_ipa;   /* first vCPU's x0 */
	unsigned log_count; /* guest_log() lines so far */
	/* Whole-RAM clean+invalidates for set/way maintenance (setway.c), for `zvm info -n`. */
	uint64_t cache_flushes;
	uint64_t cache_flush_bytes; /* what they cleaned: RAM, or a dynamic VM's resident pages */
};

/* A counted reference to a VM by id or name, or NULL when there is none (or it is being
 * deleted). Every user but the VM's own vCPU threads holds one while it uses the VM; the
 * memory is freed at the last vm_put(), so a reference stays valid across a delete. */
struct vm *vm_get(unsigned id);
struct vm *vm_get_name(const char *name);
void vm_put(struct vm *vm);
/* Applies a state machine event (vm_state.h) under vm->lock: 0 or why not (-EBUSY...). */
int vm_event(struct vm *vm, enum vm_event e);
/* The guest did something we cannot go on with (SError, pvpanic): state crashed, then the
 * VM's on-crash policy. Any thread. */
void vm_crash(struct vm *vm, const char *why);
/* An EL2 fault in one of vm's exit handlers or device workers (zvm/vcpu_fault.c; exception
 * context; why says which, for the message): crashed for good, the faulted thread ends (a
 * vCPU) or never works again (a worker). No reset (policy or `zvm reset`): that vCPU would not run
 * again; a delete (policy or `zvm delete`) frees it all. */
void vm_crash_faulted(struct vm *vm, const char *why);
/* Debug (`zvm fault`): the next WFI/WFE exit of each vCPU of vm faults at EL2 on the given
 * path (VCPU_FAULT_FAST or VCPU_FAULT_SLOW); -1 for another path. */
int vcpu_fault_arm(struct vm *vm, unsigned path);
/* PSCI SYSTEM_OFF from the guest, or `zvm shutdown` stopping it: state halted. 0 or why not. */
int vm_power_off(struct vm *vm);
/* Guest SYSTEM_RESET, `zvm reset`, the on-crash policy: state resetting; the vm-life worker
 * reloads the images and starts vCPU 0. 0 or why not (vm_state_next's errors). */
int vm_request_reset(struct vm *vm);

/* Guest RAM access by IPA, for device models and loaders: never a raw guest pointer.
 * Returns -EFAULT when [ipa, ipa + len) is not all guest RAM. */
int vm_read(struct vm *vm, uint64_t ipa, void *buf, size_t len);
/* Access tracking over all of the VM's RAM: the bytes accessed since the last call (or since
 * they were mapped), and the access flags cleared for the next period. */
int vm_mem_age(struct vm *vm, uint64_t *accessed);
int vm_write(struct vm *vm, uint64_t ipa, const void *buf, size_t len);
/* Host address of guest RAM at ipa if len bytes there are contiguous in host memory. */
void *vm_ipa_to_host(struct vm *vm, uint64_t ipa, size_t len);

/* Guest console output (from the virtual UART): kept in the ring, echoed when attached. */
void vm_console_write(struct vm *vm, const char *s, size_t len);
/* `zvm look`: attaches, replays the kept output, oldest first, to the host console (the calling
 * thread may sleep for room) and the output written meanwhile after it; new output goes
 * straight to the host console from the moment the replay has caught up. */
void vm_console_attach(struct vm *vm);
/* Ends it; returns how many bytes of output the host console dropped and has not reported. */
size_t vm_console_detach(struct vm *vm);

#endif
