/* ipc_bench, shm_bench: what it costs to notify a peer and to pass it a 4 KiB message, for
 * `make bench` (bench/ipc_bench.py). One ping-pong engine, two transports:
 *
 * ipc_bench (2 CPUs, native or in one VM): CPU 0 pings CPU 1 with SGI 6 and waits in WFI; CPU
 * 1's handler answers with SGI 6 back. Messages go through a buffer in RAM. Natively this is
 * the baseline: a bare-metal IPI between two physical CPUs.
 * shm_bench (1 CPU, ZVM only, two VMs sharing a region): the VM with the lower id pings the
 * other through the doorbell; messages go through the shared region.
 *
 * A message is WORDS words with a checksum in box 0; the answer (every word + 1) comes back in
 * box 1, checked too, so both sides read and write all of it. The pinger prints
 *   # ipc <transport> notify: N round trips in T ns
 *   # ipc <transport> 4k: N round trips in T ns
 * (ns from CNTVCT; under -icount shift=0 a ns is an instruction). zvmipcn=N: round trips per
 * row (default 1000). The responder learns which row runs from the MODE word of the region. */
#include "zt.h"

#include <zvm/shm.h>

#define SGI_PING 6
#define WORDS	 1024 /* 4 KiB */
#define BOX0	 0x0000
#define BOX1	 0x2000
#define REGION	 0x4000 /* two boxes: sequence, checksum, words */
#define BOX_SEQ	 0
#define BOX_SUM	 1
#define BOX_DATA 2
#define MODE	 0x3ff0 /* a word: 1 while the 4 KiB row runs (the responder reads it) */

struct transport {
	const char *name;
	volatile uint32_t *region;
	void (*notify)(void); /* the pinger rings the responder */
};

static struct transport tp;
static volatile uint32_t answers;      /* on the pinger: round trips completed */
static volatile uint32_t bad_messages; /* the responder found a wrong checksum */

static uint32_t sum(const volatile uint32_t *d, uint32_t seq)
{
	uint32_t s = 0x811c9dc5U ^ seq;

	for (unsigned i = 0; i < WORDS; i++)
		s = (s ^ d[i]) * 0x01000193U;
	return s;
}

static volatile uint32_t *box(unsigned off)
{
	return tp.region + off / 4;
}

/* The responder's side of a round trip, in its interrupt handler; back rings the pinger. */
static void respond(void (*back)(void))
{
	if (*box(MODE)) {
		volatile uint32_t *in = box(BOX0), *out = box(BOX1);
		uint32_t seq = in[BOX_SEQ];

		if (sum(in + BOX_DATA, seq) != in[BOX_SUM])
			bad_messages++;
		for (unsigned i = 0; i < WORDS; i++)
			out[BOX_DATA + i] = in[BOX_DATA + i] + 1;
		out[BOX_SUM] = sum(out + BOX_DATA, seq);
		out[BOX_SEQ] = seq;
		zt_dsb();
	}
	back();
}

/* One round trip from the pinger; false when the answer is wrong. */
static bool round_trip(uint32_t seq)
{
	uint32_t before = answers;
	bool with_message = *box(MODE);

	if (with_message) {
		volatile uint32_t *out = box(BOX0);

		for (unsigned i = 0; i < WORDS; i++)
			out[BOX_DATA + i] = seq * 0x9e3779b9U + i;
		out[BOX_SUM] = sum(out + BOX_DATA, seq);
		out[BOX_SEQ] = seq;
		zt_dsb();
	}
	/* Masked between the check and the WFI: an answer in between still wakes the WFI. */
	zt_irq_off();
	tp.notify();
	while (answers == before) {
		zt_wfi();
		zt_irq_on();
		zt_irq_off();
	}
	zt_irq_on();
	if (!with_message)
		return true;
	volatile uint32_t *in = box(BOX1);

	if (in[BOX_SEQ] != seq || sum(in + BOX_DATA, seq) != in[BOX_SUM])
		return false;
	for (unsigned i = 0; i < WORDS; i++)
		if (in[BOX_DATA + i] != seq * 0x9e3779b9U + i + 1)
			return false;
	return true;
}

static unsigned round_trips(void)
{
	char buf[16];

	return zt_bootarg("zvmipcn", buf, sizeof(buf)) ? (unsigned)zt_strtoull(buf, NULL) : 1000;
}

/* The pinger: both rows, then the responder is told nothing (it just stays idle). */
static int ping(void)
{
	unsigned n = round_trips();

	for (unsigned m = 0; m < 2; m++) {
		uint32_t bad = bad_messages;
		uint64_t t;

		*box(MODE) = m;
		zt_dsb();
		t = zt_now();
		for (unsigned i = 0; i < n; i++)
			CHECK(round_trip(i + 1), "%s: round trip %u: the answer is wrong", tp.name,
			      i);
		t = zt_now() - t;
		CHECK(bad_messages == bad, "%s: the responder saw %u bad messages", tp.name,
		      bad_messages - bad);
		zt_note("ipc %s %s: %u round trips in %lu ns", tp.name, m ? "4k" : "notify", n,
			(unsigned long)(t * 1000000000ULL / zt_freq()));
	}
	return 0;
}

/* ---- ipc_bench: SGIs between CPU 0 and CPU 1 ---- */

static void sgi_to_1(void)
{
	zt_gic_sgi_to(SGI_PING, 1);
}

static void sgi_to_0(void)
{
	zt_gic_sgi_to(SGI_PING, 0);
}

static void on_sgi(unsigned intid, unsigned cpu)
{
	ZT_UNUSED(intid);
	if (cpu == 1)
		respond(sgi_to_0);
	else
		answers++;
}

static void run_ipc_bench(void)
{
	if (zt_ensure_online(1) != 0) {
		zt_result("ipc_bench", false, "CPU 1 cannot be started");
		return;
	}
	/* The middle of RAM: above the image and its stacks, below the DTB; not in .bss, which
	 * every set's boot would touch (a dynamic VM's resident pages are counted). */
	tp = (struct transport){zt_plat.native ? "sgi" : "vsgi",
				(volatile uint32_t *)(zt_plat.ram_base + zt_plat.ram_size / 2),
				sgi_to_1};
	zt_irq_set_handler(SGI_PING, on_sgi);
	zt_gic_enable(0, SGI_PING);
	zt_gic_enable(1, SGI_PING);
	zt_case("ipc_bench", ping);
	zt_gic_disable(0, SGI_PING);
	zt_gic_disable(1, SGI_PING);
}
ZT_SET(ipc_bench, 2, run_ipc_bench, "IPC cost: SGI ping-pong between two CPUs (bench)");

/* ---- shm_bench: the doorbell between two VMs ---- */

static unsigned peer;

static void ring_peer(void)
{
	zt_w32(zt_plat.shm_db + SHM_DB_RING, peer);
}

static bool pinger;

static void on_doorbell(unsigned intid, unsigned cpu)
{
	ZT_UNUSED(intid);
	ZT_UNUSED(cpu);
	/* Level: acknowledged before the EOI, or it comes straight back. Only the peer rings
	 * us, so its bit is acknowledged without reading PENDING: one trap, not four. */
	zt_w32(zt_plat.shm_db + (peer < 32 ? SHM_DB_ACK_LO : SHM_DB_ACK_HI), 1u << (peer % 32));
	if (pinger)
		answers++;
	else
		respond(ring_peer);
}

static void run_shm_bench(void)
{
	uint64_t peers = 0;
	unsigned self;

	if (!zt_plat.shm_db || zt_plat.shm_size < REGION || !zt_plat.shm_intid) {
		zt_result("shm_bench", false, "needs a zvm,shm-doorbell node and a 16 KiB region");
		return;
	}
	self = zt_r32(zt_plat.shm_db + SHM_DB_ID);
	zt_wait((peers = zt_r32(zt_plat.shm_db + SHM_DB_PEERS_LO) |
			 (uint64_t)zt_r32(zt_plat.shm_db + SHM_DB_PEERS_HI) << 32) != 0,
		5000);
	if (!peers) {
		zt_result("shm_bench", false, "no peer shares the region after 5 s");
		return;
	}
	peer = (unsigned)__builtin_ctzll(peers);
	pinger = self < peer;
	tp = (struct transport){"shm", (volatile uint32_t *)zt_plat.shm_base, ring_peer};
	zt_irq_set_handler(zt_plat.shm_intid, on_doorbell);
	zt_gic_enable(0, zt_plat.shm_intid);
	zt_irq_on();
	if (pinger) {
		/* The responder needs a moment to enable its doorbell after it sees us. */
		zt_delay_ms(50);
		zt_case("shm_bench", ping);
		return;
	}
	/* The responder answers from its handler and idles until the VM is deleted. */
	for (;;)
		zt_wfi();
}
ZT_SET(shm_bench, 1, run_shm_bench, "IPC cost: doorbell ping-pong between two VMs (bench)");
