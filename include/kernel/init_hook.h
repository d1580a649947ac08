/* Init hooks: optional layers (the VM manager, boot-time VMs...) hook into the kernel's start-up
 * without the kernel naming them. Each hook is a struct in the linker section "init_hooks", like
 * the shell's command table, so an image without that layer simply has no such hook:
 *
 *	static void zvm_boot(void) { ... }
 *	INIT_HOOK(INIT_HOOK_BOOT, zvm_boot);
 *
 * Within one level hooks run in link order (the Makefile's source order). */
#ifndef KERNEL_INIT_HOOK_H
#define KERNEL_INIT_HOOK_H

enum init_level {
	/* Boot CPU, once: the kernel core is up (memory, GIC, timer, scheduler) but no thread runs,
	 * IRQs are masked and the secondaries are still off. */
	INIT_HOOK_BOOT,
	/* Every CPU, the boot CPU too (after the BOOT hooks): before it starts scheduling, IRQs
	 * masked. */
	INIT_HOOK_CPU,
	/* Once, in the main thread: every CPU online, threads may sleep, before the shell starts.
	 */
	INIT_HOOK_LATE,
};

struct init_hook {
	const char *name;
	void (*fn)(void);
	enum init_level level;
};

#define INIT_HOOK(level_, fn_)                                                                     \
	static const struct init_hook init_hook_##fn_                                              \
	    __attribute__((used, section("init_hooks"), aligned(_Alignof(struct init_hook)))) = {  \
		.name = #fn_, .fn = fn_, .level = level_}

/* Runs the hooks of one level from the table [first, last), in order; returns how many ran. */
unsigned init_hooks_run_table(const struct init_hook *first, const struct init_hook *last,
			      enum init_level level);
/* Runs the image's hooks of one level. */
unsigned init_hooks_run(enum init_level level);

#endif
