/* The VM manager's entry points, used by the shell commands and by boot code. */
#ifndef ZVM_ZVM_H
#define ZVM_ZVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zvm/vm.h>

struct vm_config {
	const char *type; /* guest type from the board DT ("linux", test guests...) */
	const char *name; /* NULL: "<type>-<id>" */
	unsigned nr_vcpus;
	size_t mem_bytes;
	uint64_t cpu_mask; /* physical CPUs its vCPUs may use; 0 = any */
	/* Scheduling (docs/scheduling.md). Zero in every field means "not given". */
	unsigned prio;			  /* vCPU thread priority; 0: the guest type's default */
	uint64_t vcpu_mask[VM_MAX_VCPUS]; /* CPUs for each vCPU; 0: cpu_mask */
	uint32_t budget_us, period_us;	  /* at most budget_us of CPU in every period_us */
	bool autostart;			  /* boot-time VMs: run right after creation */
	enum vm_on_crash on_crash;	  /* after a guest panic; default: stay crashed */
	bool mem_dynamic; /* `--mem dynamic`: RAM pages on first use (include/zvm/mem/dyn.h) */
	uint32_t devs;	  /* optional devices (`--dev`): bit i is vdev_optional_names[i] */
	const char *disk; /* `--disk SPEC` (include/zvm/virtio/virtio_blk.h), NULL: none */
	const char *shm;  /* `--shm SPEC[,SPEC]` (include/zvm/vdev/doorbell.h), NULL: none */
	const char *pass; /* `--pass PATH[,PATH]`: board DT nodes (include/zvm/passthrough.h) */
};

/* Once at boot, after the kernel is up (an INIT_HOOK_BOOT): stage-2 settings, vGIC/vtimer
 * interrupts, guest types from the board DT. */
void zvm_init(void);
/* Per CPU, on every CPU (an INIT_HOOK_CPU). */
void zvm_init_cpu(void);

/* Returns the new VM's id, or a negative errno (the reason is printed). */
int vm_create(const struct vm_config *cfg);
/* These return 0 or a negative errno from the state machine (vm_state.h); the caller holds a
 * reference. */
int vm_run(struct vm *vm);
int vm_pause(struct vm *vm);
/* Stops every vCPU, waits for their threads and takes the VM out of the table; its memory goes
 * at the last vm_put(). Not from one of the VM's own vCPU threads. */
int vm_delete(struct vm *vm);
/* Calls cb for each VM, in id order, holding a reference to it and no lock. */
void vm_foreach(void (*cb)(struct vm *vm, void *arg), void *arg);

#endif
