/* The VM state transition table (include/zvm/vm_state.h). */
#include <errno.h>
#include <zvm/vm_state.h>

/* Encoded as next state + 1, or a negative errno; 0 is unused so the defaults stand out. */
#define TO(s) ((s) + 1)

static const int table[VM_NR_STATES][VM_NR_EVENTS] = {
    [VM_CREATED] =
	{
	    [VM_EV_RUN] = TO(VM_RUNNING),
	    [VM_EV_PAUSE] = -EINVAL,
	    [VM_EV_RESET] = TO(VM_RESETTING),
	    [VM_EV_RESET_DONE] = -EINVAL,
	    [VM_EV_POWER_OFF] = -EINVAL,
	    [VM_EV_CRASH] = -EINVAL,
	    [VM_EV_DELETE] = TO(VM_DELETING),
	},
    [VM_RUNNING] =
	{
	    [VM_EV_RUN] = -EALREADY,
	    [VM_EV_PAUSE] = TO(VM_PAUSED),
	    [VM_EV_RESET] = TO(VM_RESETTING),
	    [VM_EV_RESET_DONE] = -EINVAL,
	    [VM_EV_POWER_OFF] = TO(VM_HALTED),
	    [VM_EV_CRASH] = TO(VM_CRASHED),
	    [VM_EV_DELETE] = TO(VM_DELETING),
	},
    [VM_PAUSED] =
	{
	    [VM_EV_RUN] = TO(VM_RUNNING),
	    [VM_EV_PAUSE] = -EALREADY,
	    [VM_EV_RESET] = TO(VM_RESETTING),
	    [VM_EV_RESET_DONE] = -EINVAL,
	    [VM_EV_POWER_OFF] = TO(VM_HALTED),
	    [VM_EV_CRASH] = TO(VM_CRASHED),
	    [VM_EV_DELETE] = TO(VM_DELETING),
	},
    [VM_RESETTING] =
	{
	    [VM_EV_RUN] = -EBUSY,
	    [VM_EV_PAUSE] = -EBUSY,
	    [VM_EV_RESET] = -EBUSY,
	    [VM_EV_RESET_DONE] = TO(VM_RUNNING),
	    [VM_EV_POWER_OFF] = -EBUSY,
	    [VM_EV_CRASH] = TO(VM_CRASHED),
	    [VM_EV_DELETE] = TO(VM_DELETING),
	},
    [VM_HALTED] =
	{
	    [VM_EV_RUN] = -ECANCELED,
	    [VM_EV_PAUSE] = -ECANCELED,
	    [VM_EV_RESET] = TO(VM_RESETTING),
	    [VM_EV_RESET_DONE] = -EINVAL,
	    [VM_EV_POWER_OFF] = -EALREADY,
	    [VM_EV_CRASH] = -ECANCELED,
	    [VM_EV_DELETE] = TO(VM_DELETING),
	},
    [VM_CRASHED] =
	{
	    [VM_EV_RUN] = -ECANCELED,
	    [VM_EV_PAUSE] = -ECANCELED,
	    [VM_EV_RESET] = TO(VM_RESETTING),
	    [VM_EV_RESET_DONE] = -EINVAL,
	    [VM_EV_POWER_OFF] = -ECANCELED,
	    [VM_EV_CRASH] = -EALREADY,
	    [VM_EV_DELETE] = TO(VM_DELETING),
	},
    [VM_DELETING] =
	{
	    [VM_EV_RUN] = -ENOENT,
	    [VM_EV_PAUSE] = -ENOENT,
	    [VM_EV_RESET] = -ENOENT,
	    [VM_EV_RESET_DONE] = -ENOENT,
	    [VM_EV_POWER_OFF] = -ENOENT,
	    [VM_EV_CRASH] = -ENOENT,
	    [VM_EV_DELETE] = -ENOENT,
	},
};

int vm_state_next(enum vm_state s, enum vm_event e, enum vm_state *next)
{
	int t;

	if ((unsigned)s >= VM_NR_STATES || (unsigned)e >= VM_NR_EVENTS)
		return -EINVAL;
	t = table[s][e];
	if (t <= 0)
		return t ? t : -EINVAL;
	*next = (enum vm_state)(t - 1);
	return 0;
}

const char *vm_state_name(enum vm_state s)
{
	static const char *const names[VM_NR_STATES] = {
	    "created", "running", "paused", "resetting", "halted", "crashed", "deleting",
	};

	return (unsigned)s < VM_NR_STATES ? names[s] : "?";
}

const char *vm_event_name(enum vm_event e)
{
	static const char *const names[VM_NR_EVENTS] = {
	    "run", "pause", "reset", "reset-done", "power-off", "crash", "delete",
	};

	return (unsigned)e < VM_NR_EVENTS ? names[e] : "?";
}
