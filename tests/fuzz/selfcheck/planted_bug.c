/* A fuzz target with one planted bug, for tests/system/test_fuzz_afl.py: an input starting
 * with "ZVM" reads past a heap buffer, or, built with -DPLANT_UBSAN, overflows a signed add.
 * Only a sanitizer sees either (neither faults on its own), so finding it proves that both
 * the fuzzer and that sanitizer work in the AFL++ build. Not a FUZZ_TARGETS entry: nothing in
 * the tree should crash. */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	volatile uint8_t *buf;
	int sink = 0;

	/* One byte per branch, so coverage guides the fuzzer to the bug in a few seconds. */
	if (size < 4 || data[0] != 'Z')
		return 0;
	if (data[1] != 'V')
		return 0;
	if (data[2] != 'M')
		return 0;
#ifdef PLANT_UBSAN
	buf = NULL;
	sink = INT_MAX - 1;
	sink += 2 + (data[3] & 1); /* the planted signed overflow */
	(void)buf;
#else
	buf = malloc(4);
	sink = buf[4 + (data[3] & 3)]; /* the planted out-of-bounds read */
	free((void *)buf);
#endif
	return sink & 0;
}
