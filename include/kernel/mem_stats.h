/* Memory usage snapshot, shared by the heap and the page allocator. Bytes throughout. */
#ifndef KERNEL_MEM_STATS_H
#define KERNEL_MEM_STATS_H

#include <stddef.h>

struct mem_stats {
	size_t total; /* bytes under management */
	size_t used;  /* total - free: allocations, their overhead, and reserved parts */
	size_t free;  /* bytes available for allocation */
};

/* Other memory managers' lines in `kernel mem` (the VM manager's compression pool): fn prints
 * them with shell_print after the heap and pages rows. Boot time only; up to 4. Returns 0, or
 * -ENOSPC when the table is full. */
int kernel_mem_report_add(void (*fn)(void));

#endif
