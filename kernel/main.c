/* The first thread: everything that needs a running scheduler starts here. */
#include <arch/el.h>
#include <kernel/init.h>
#include <kernel/init_hook.h>
#include <kernel/percpu.h>
#include <kernel/printk.h>
#include <kernel/time.h>
#include <shell/shell.h>

void kernel_main(void *a, void *b)
{
	(void)a;
	(void)b;
	printk(EL_IMAGE_NAME ": %u CPUs online, boot took %llu ms\n", cpu_count(),
	       (unsigned long long)k_uptime_ms());
	init_hooks_run(INIT_HOOK_LATE);
	shell_run(host_board()->bootargs);
}
