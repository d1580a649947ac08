/* The host I/O scheduler (block/iosched.c): any sequence of submits, dispatches, completions
 * and queue removals keeps to the reference model (tests/unit/test_iosched_model.h): each
 * request completes exactly once, nothing passes a FLUSH, priorities hold at every step. */
#include <stdlib.h>

#include "test_iosched_model.h"
#include "fuzz_input.h"

static struct model m;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	uint8_t prios[M_QUEUES];

	for (int i = 0; i < M_QUEUES; i++)
		prios[i] = fuzz_u8(&in);
	m_init(&m, prios, 8 + fuzz_u8(&in) % 64);
	while (in.n && !m.bad) {
		uint8_t a = fuzz_u8(&in), b = fuzz_u8(&in), c = fuzz_u8(&in);

		m_step(&m, a, b, c);
	}
	m_finish(&m);
	if (m.bad)
		abort();
	return 0;
}
