/* compress: guest pages the host compresses behind the guest's back (`zvm compress`, dynamic
 * RAM). The guest fills a window 16 MiB into RAM: pages of distinct patterns, pages written
 * and then zeroed, one code page; vCPU 1 keeps writing a counter page meanwhile. It prints
 * "compress: ready", waits for one byte on its console (the host has compressed by then), and
 * checks every byte and runs the code: each access to a compressed page is a stage-2 fault
 * the host cures by decompressing. The MMU stays off (no stage-1 tables of its own). */
#include "zt.h"

#define PAGE	     4096ULL
#define WIN	     (16ULL << 20)
#define NR_PATTERN   256 /* pages of patterns: half compressible */
#define NR_ZERO	     128 /* pages written, then zeroed */
#define ZERO_OFF     (WIN + NR_PATTERN * PAGE)
#define CODE_OFF     (ZERO_OFF + NR_ZERO * PAGE)
#define COUNTER_OFF  (CODE_OFF + (1ULL << 20))
#define UART_DR	     0x00
#define UART_FR	     0x18
#define UART_FR_RXFE (1u << 4)

static volatile uint64_t stop_writer, writer_count;

static uint64_t at(uint64_t off)
{
	return zt_plat.ram_base + off;
}

/* The first half of the pattern pages compresses (a per-page value in an 8-word cycle), the
 * second half does not (a hash per word): the host keeps those resident. */
static uint64_t pattern(uint64_t addr)
{
	uint64_t x = addr * 0x9e3779b97f4a7c15ULL ^ 0xc0ffee;

	if (addr < at(WIN + NR_PATTERN / 2 * PAGE))
		return (addr >> 12) * 0x10001ULL + ((addr >> 3) & 7);
	return x ^ (x >> 31);
}

/* vCPU 1: writes its counter page until told to stop, so compression runs beside a vCPU
 * that keeps faulting and writing. */
static void writer(uint64_t arg)
{
	volatile uint64_t *p = (volatile uint64_t *)at(COUNTER_OFF);

	ZT_UNUSED(arg);
	while (!stop_writer) {
		uint64_t n = writer_count + 1;

		for (unsigned i = 0; i < PAGE / 8; i++)
			p[i] = n;
		writer_count = n;
	}
}

/* The byte the host sends once it has compressed; false after timeout_ms. */
static bool wait_console_byte(uint64_t timeout_ms)
{
	return zt_wait(!(zt_r32(zt_plat.uart + UART_FR) & UART_FR_RXFE), timeout_ms) &&
	       (zt_r32(zt_plat.uart + UART_DR), true);
}

static int c_compress_roundtrip(void)
{
	volatile uint32_t *code = (volatile uint32_t *)at(CODE_OFF);
	uint64_t (*fn)(void) = (uint64_t(*)(void))(uintptr_t)code;

	CHECK(zt_plat.ram_size >= COUNTER_OFF + (2ULL << 20), "needs more RAM");
	CHECK(zt_plat.nr_cpus >= 2 && !zt_ensure_online(1), "vCPU 1 is not online");
	for (uint64_t a = at(WIN); a < at(ZERO_OFF); a += 8)
		*(volatile uint64_t *)a = pattern(a);
	for (uint64_t a = at(ZERO_OFF); a < at(CODE_OFF); a += 8)
		*(volatile uint64_t *)a = pattern(a);
	for (uint64_t a = at(ZERO_OFF); a < at(CODE_OFF); a += 8)
		*(volatile uint64_t *)a = 0;
	code[0] = 0xd2824680; /* movz x0, #0x1234 */
	code[1] = 0xd65f03c0; /* ret */
	__asm__ volatile("dc cvau, %0\n\tdsb ish\n\tic ivau, %0\n\tdsb ish\n\tisb" ::"r"(code)
			 : "memory");
	CHECK(fn() == 0x1234, "the code page did not run before compression");
	CHECK(zt_cpu_post(1, writer, 0), "vCPU 1 took no work");
	zt_printf("compress: ready\n");
	CHECK(wait_console_byte(120000), "no go from the host");
	for (uint64_t a = at(WIN); a < at(ZERO_OFF); a += 8)
		CHECK(*(volatile uint64_t *)a == pattern(a), "pattern word at 0x%lx wrong",
		      (unsigned long)a);
	for (uint64_t a = at(ZERO_OFF); a < at(CODE_OFF); a += 8)
		CHECK(!*(volatile uint64_t *)a, "zero word at 0x%lx is 0x%lx", (unsigned long)a,
		      (unsigned long)*(volatile uint64_t *)a);
	CHECK(fn() == 0x1234, "the code page returned something else after compression");
	stop_writer = 1;
	CHECK(zt_cpu_wait_done(1, 60000), "vCPU 1 did not stop");
	for (unsigned i = 0; i < PAGE / 8; i++)
		CHECK(((volatile uint64_t *)at(COUNTER_OFF))[i] == writer_count,
		      "counter word %u lost writes (%lu)", i, (unsigned long)writer_count);
	return 0;
}

static void run_compress(void)
{
	zt_case("compress_roundtrip", c_compress_roundtrip);
}
ZT_SET(compress, 2, run_compress, "patterns, zero pages and code survive zvm compress");
