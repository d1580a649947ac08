/* Build-time limits. Board facts do not belong here: they come from the device tree. */
#ifndef KERNEL_CONFIG_H
#define KERNEL_CONFIG_H

#define CONFIG_MAX_CPUS		 8
#define CONFIG_THREAD_STACK_SIZE (16 * 1024)
#define CONFIG_NUM_PRIORITIES	 32 /* 0 is the most urgent; the idle thread runs at the last */
#define CONFIG_TIMESLICE_MS	 10
#define CONFIG_HEAP_SIZE	 (16 * 1024 * 1024)

#endif
