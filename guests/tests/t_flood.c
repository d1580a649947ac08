/* flood: a guest that writes its console as fast as it can, for the console tests (a guest's
 * output must never hold up the host's: what the host console cannot take is dropped). Prints
 * `flood N` and a line of filler, numbered, forever. */
#include "zt.h"

static void run_flood(void)
{
	for (uint64_t n = 1;; n++)
		zt_printf(
		    "flood %lu xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
		    (unsigned long)n);
}
ZT_SET(flood, 1, run_flood, "`flood N` lines as fast as the console takes them, forever");
