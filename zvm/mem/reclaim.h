/* The low-watermark scanner's settings (zvm/mem/reclaim.c). */
#ifndef ZVM_MEM_RECLAIM_H
#define ZVM_MEM_RECLAIM_H

#include <stddef.h>

/* The low watermark in bytes; 0: the scanner does not compress. */
size_t mem_reclaim_low(void);
void mem_reclaim_set_low(size_t bytes);
/* `zpool watermark [MB]`. */
int cmd_zpool_watermark(int argc, char **argv);

#endif
