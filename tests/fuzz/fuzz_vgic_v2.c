/* fuzz_vgic.c over the GICv2 front end (see there). */
#define FUZZ_VGIC_V2
#include "fuzz_vgic.c"
