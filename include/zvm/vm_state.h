/* The VM state machine: every change of a VM's state is an event applied through one table.
 *
 *   created --run--> running <--pause/run--> paused
 *   created/running/paused/halted/crashed --reset--> resetting --reset_done--> running
 *   running/paused --power_off--> halted      (guest SYSTEM_OFF, `zvm shutdown`)
 *   running/paused/resetting --crash--> crashed (pvpanic, SError, a failed reload)
 *   any but deleting --delete--> deleting      (nothing leaves deleting)
 *
 * A halted or crashed VM starts again only through a reset: its memory is what the guest left.
 * Pure logic (no locks, no VM): the caller holds vm->lock around vm_state_next and the store. */
#ifndef ZVM_VM_STATE_H
#define ZVM_VM_STATE_H

enum vm_state {
	VM_CREATED,
	VM_RUNNING,
	VM_PAUSED,
	VM_RESETTING,
	VM_HALTED,
	VM_CRASHED,
	VM_DELETING,
	VM_NR_STATES
};

enum vm_event {
	VM_EV_RUN,
	VM_EV_PAUSE,
	VM_EV_RESET,	  /* a reset starts: vCPUs park, the worker reloads the images */
	VM_EV_RESET_DONE, /* the worker finished the reload */
	VM_EV_POWER_OFF,
	VM_EV_CRASH,
	VM_EV_DELETE,
	VM_NR_EVENTS
};

/* The state after event e in state s: 0 and *next, or a negative errno saying why not:
 * -EALREADY (already there), -EBUSY (a reset is under way), -ECANCELED (halted or crashed:
 * only a reset or a delete), -ENOENT (being deleted), -EINVAL (makes no sense now). */
int vm_state_next(enum vm_state s, enum vm_event e, enum vm_state *next);
const char *vm_state_name(enum vm_state s);
const char *vm_event_name(enum vm_event e);

#endif
