/* A device's worker thread: the long work of a device (walking virtqueues, copying buffers)
 * runs here, never in the exit path. The exit path (an MMIO write, exception context, IRQs
 * masked) only calls vdev_worker_wake(); the thread then calls the device's work function.
 *
 * It runs at the owning VM's vCPU priority on the VM's CPUs (docs/scheduling.md), so a device
 * of an urgent VM is served before a less urgent VM's vCPUs, and a less urgent VM's device
 * cannot take CPU time its VM would not get. Lifecycle, driven by vdev.c:
 *   vdev_worker_init()   at device creation (no thread yet: the VM's priority is not known);
 *   vdev_workers_start() once the vCPUs are set up;
 *   vdev_worker_quiesce()/resume() around a VM reset (vCPUs parked; quiesced before the RAM
 *                         is reloaded, resumed after the devices' reset): after quiesce
 *                         returns, work() is not running and will not start, and wakes from
 *                         before are dropped;
 *   vdev_worker_stop()   before the device is destroyed: ends and joins the thread, frees it.
 *
 * Each pass of work() is recoverable (kernel/recover.h): an EL2 fault in it with no lock held
 * stops the VM (as a fault in a vCPU's exit handler does) and the worker never runs work()
 * again; the device's state may be half-updated, and a VM stopped by an EL2 fault is never
 * reset. */
#ifndef ZVM_VDEV_VDEV_WORKER_H
#define ZVM_VDEV_VDEV_WORKER_H

#include <stdbool.h>

struct k_budget;
struct k_sem;
struct vm;
struct vdev;

/* Gives d a worker that calls work(d) after each wake (several wakes may fold into one call).
 * 0 or -ENOMEM. */
int vdev_worker_init(struct vdev *d, void (*work)(struct vdev *d));
/* Starts the threads of every device of vm that has a worker, at its vCPUs' priority. */
int vdev_workers_start(struct vm *vm);
/* Any context, any CPU; never blocks. */
void vdev_worker_wake(struct vdev *d);
/* The semaphore vdev_worker_wake gives: work() may wait on it for further events of its own
 * (a disk's completions) and for wakes at once; a wake it takes is then its to serve. */
struct k_sem *vdev_worker_sem(struct vdev *d);
/* From an exit of d's VM (exception context, on the vCPU's CPU): wakes the worker and, when it
 * waits for this CPU, gives it the CPU first (k_yield_to): the request a guest's notification
 * announces goes to the device at once, in parallel with the guest's own work, rather than
 * when the guest next idles. */
void vdev_worker_kick(struct vdev *d);
void vdev_worker_quiesce(struct vdev *d);
void vdev_worker_resume(struct vdev *d);
/* Thread context. Tolerates a worker whose thread never started. */
void vdev_worker_stop(struct vdev *d);
/* Every device's, with the vCPUs' threads (vm_stop_vcpus): while the VM still counts in the
 * placement. Once it is unlisted its CPUs may go back to a dedicated vCPU that never yields
 * (an RTOS idling in its own WFI), and a worker there would never run to end. */
void vdev_workers_stop(struct vm *vm);
/* Puts every worker of vm under b, the VM's CPU budget: device work done for a guest counts
 * as the guest's CPU time. 0 or -ENOSPC. */
int vdev_workers_budget(struct vm *vm, struct k_budget *b);
/* From work(): a quiesce, a stop or an armed fault is waiting for this pass; long work should
 * end it now. */
bool vdev_worker_should_yield(const struct vdev *d);
/* How many of vm's devices have a worker (fixed once the VM is built). */
unsigned vdev_worker_count(struct vm *vm);
/* Times work() ran (for `zvm info`). */
unsigned long vdev_worker_runs(const struct vdev *d);
/* Times a vCPU handed its CPU to the worker at a kick (for `zvm info`). */
unsigned long vdev_worker_handoffs(const struct vdev *d);
/* Debug (`zvm fault -p worker|worker-mutex`): every worker of vm faults at EL2 in its next
 * pass, which starts at once; VDEV_FAULT_MUTEX holds a k_mutex then, which must panic. */
enum { VDEV_FAULT_NONE, VDEV_FAULT_PLAIN, VDEV_FAULT_MUTEX };
void vdev_workers_fault_arm(struct vm *vm, unsigned how);

#endif
