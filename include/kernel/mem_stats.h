/* Memory usage snapshot, shared by the heap and the page allocator. Bytes throughout. */
#ifndef KERNEL_MEM_STATS_H
#define KERNEL_MEM_STATS_H

#include <stddef.h>

struct mem_stats {
	size_t total; /* bytes under management */
	size_t used;  /* total - free: allocations, their overhead, and reserved parts */
	size_t free;  /* bytes available for allocation */
};

#endif
