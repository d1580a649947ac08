/* Walks the init hook table (include/kernel/init_hook.h). */
#include <kernel/init_hook.h>
#include <stddef.h>

unsigned init_hooks_run_table(const struct init_hook *first, const struct init_hook *last,
			      enum init_level level)
{
	unsigned n = 0;

	for (const struct init_hook *h = first; h < last; h++) {
		if (h->level != level)
			continue;
		h->fn();
		n++;
	}
	return n;
}

#ifndef UNIT_TEST
extern const struct init_hook __start_init_hooks[];
extern const struct init_hook __stop_init_hooks[];

unsigned init_hooks_run(enum init_level level)
{
	return init_hooks_run_table(__start_init_hooks, __stop_init_hooks, level);
}
#endif
