/* compressbench: the fault-in latency of compressed pages, for make bench (bench/run.py). The
 * guest fills 64 pages 16 MiB into RAM with the text pages of `zpool bench` (zpool_pages.h,
 * seeds 1..64: page 0 is the very page whose zpool_load that command measures), prints
 * "compressbench: ready" and waits for one console byte (the host has run `zvm compress --all`
 * by then). Then it reads one word of each page, timing the read with the virtual counter: the
 * stage-2 fault, the decompression on the vCPU thread and the retry. A dry run first pages in
 * all else the timing needs and prints "ZVMBENCH warmup ..."; each run then waits for a byte, so
 * the host reads its page-in counters around exactly the 64 page-ins. It prints "ZVMBENCH
 * fault_in pages N min T median T sum T ticks" (counter ticks), waits for a last byte and checks
 * every byte came back. */
#include "zt.h"

#include "../../zvm/mem/zpool_pages.h"

#define PAGE	     4096ULL
#define WIN	     (16ULL << 20)
#define NR_PAGES     64
#define UART_DR	     0x00
#define UART_FR	     0x18
#define UART_FR_RXFE (1u << 4)

static uint8_t expect_page[PAGE] __attribute__((aligned(8)));

static uint8_t *page_at(unsigned i)
{
	return (uint8_t *)(uintptr_t)(zt_plat.ram_base + WIN + i * PAGE);
}

/* The next byte on the console; false after two minutes. */
static bool wait_byte(void)
{
	if (!zt_wait(!(zt_r32(zt_plat.uart + UART_FR) & UART_FR_RXFE), 120000))
		return false;
	zt_r32(zt_plat.uart + UART_DR);
	return true;
}

/* Times the first read of each page (set 1: the 64 compressed pages; set 0: expect_page 64
 * times, a dry run that pages in the code, strings and stack this path uses), prints the result
 * and waits for the host's next byte. */
static bool time_pages(unsigned set)
{
	static const char *const names[] = {"warmup", "fault_in"};
	uint64_t ticks[NR_PAGES], sum = 0;

	for (unsigned i = 0; i < NR_PAGES; i++) {
		volatile uint64_t *p = (volatile uint64_t *)(set ? page_at(i) : expect_page);
		uint64_t t0 = zt_now();

		(void)*p;
		ticks[i] = zt_now() - t0;
	}
	for (unsigned i = 0; i < NR_PAGES; i++)
		sum += ticks[i];
	/* Insertion sort: 64 values. */
	for (unsigned i = 1; i < NR_PAGES; i++)
		for (unsigned j = i; j && ticks[j - 1] > ticks[j]; j--) {
			uint64_t t = ticks[j];

			ticks[j] = ticks[j - 1];
			ticks[j - 1] = t;
		}
	zt_printf("ZVMBENCH %s pages %u min %lu median %lu sum %lu ticks\n", names[set], NR_PAGES,
		  (unsigned long)ticks[0], (unsigned long)ticks[NR_PAGES / 2], (unsigned long)sum);
	return wait_byte();
}

static int c_fault_in(void)
{
	CHECK(zt_plat.ram_size >= WIN + NR_PAGES * PAGE, "needs more RAM");
	for (unsigned i = 0; i < NR_PAGES; i++)
		zpool_page_text(page_at(i), i + 1);
	zt_printf("compressbench: ready\n");
	CHECK(wait_byte(), "no go from the host");
	/* The host compressed everything: page in what the timing and the check use besides
	 * the 64 pages, so that between the host's next two bytes the only page-ins are those. */
	zpool_page_text(expect_page, 1);
	CHECK(time_pages(0), "no second go from the host");
	CHECK(time_pages(1), "no third go from the host");
	for (unsigned i = 0; i < NR_PAGES; i++) {
		const uint8_t *p = page_at(i);

		zpool_page_text(expect_page, i + 1);
		for (unsigned b = 0; b < PAGE; b++)
			CHECK(p[b] == expect_page[b], "page %u byte %u wrong after fault-in", i, b);
	}
	return 0;
}

static void run_compressbench(void)
{
	zt_case("compress_fault_in", c_fault_in);
}
ZT_SET(compressbench, 1, run_compressbench, "fault-in latency of compressed pages (make bench)");
