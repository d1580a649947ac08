/* shm, shm_ro: memory shared between VMs with a doorbell (`zvm new --shm`, ZVM only). The DT's
 * "zvm,shm-doorbell" node gives the doorbell page, its SPI and the first region.
 *
 * shm: two VMs map one region read-write. The one with the lower VM id (A) sends checksummed
 * messages in box 0 and rings its peer; the other (B) takes the doorbell interrupt, checks the
 * message, answers with data derived from it in box 1 and rings back; A checks the answer. A
 * re-rings after 300 ms without an answer, so B may be reset (`zvm reset`) in the middle: its
 * boot count and a canary in the region must survive that. A first writes a probe pattern for
 * shm_ro and checks that rings to itself or to non-VMs are refused. A ends the exchange
 * (seq 0xffffffff) after zvmshmms ms (default 3000) and at least 50 rounds.
 *
 * shm_ro: a VM mapping the region read-only: the probe pattern is there, stores of 1, 4 and 8
 * bytes into it abort (data abort, WnR, FAR = the address) and change nothing.
 *
 * Boxes are written seqlock-style (seq 0, data, sum, then seq) and read as seq, data, seq: a
 * re-ring can make the other side read a box while it is being rewritten. */
#include "zt.h"

#include <zvm/shm.h>

#define L_MAGIC	 0x000
#define L_BOOTS	 0x004 /* B's boots, counted in the region itself */
#define L_CANARY 0x008
#define L_BOX0	 0x100 /* A -> B */
#define L_BOX1	 0x400 /* B -> A */
#define L_PROBE	 0x800
#define BOX_SEQ	 0x0
#define BOX_LEN	 0x4
#define BOX_SUM	 0x8
#define BOX_DATA 0x10
#define WORDS	 64
#define PROBE_N	 16
#define MAGIC	 0x5a53484dU /* "ZSHM" */
#define CANARY	 0xca11ab1eU
#define SEQ_DONE 0xffffffffU
#define PROBE(i) (0x5eed0000U + (i))

static volatile uint32_t irqs;

static uint32_t rg(uint64_t off)
{
	return zt_r32(zt_plat.shm_base + off);
}

static void wg(uint64_t off, uint32_t v)
{
	zt_w32(zt_plat.shm_base + off, v);
}

static uint32_t db_r(uint64_t off)
{
	return zt_r32(zt_plat.shm_db + off);
}

static void db_w(uint64_t off, uint32_t v)
{
	zt_w32(zt_plat.shm_db + off, v);
}

static void on_doorbell(unsigned intid, unsigned cpu)
{
	ZT_UNUSED(intid);
	ZT_UNUSED(cpu);
	/* Level: acknowledge every sender before the EOI, or it comes straight back. */
	db_w(SHM_DB_ACK_LO, db_r(SHM_DB_PENDING_LO));
	db_w(SHM_DB_ACK_HI, db_r(SHM_DB_PENDING_HI));
	irqs++;
}

static uint32_t checksum(const uint32_t *d, uint32_t n, uint32_t seq)
{
	uint32_t s = 0x9e3779b9U ^ seq ^ n;

	for (uint32_t i = 0; i < n; i++)
		s = ((s << 5) | (s >> 27)) ^ (d[i] + i);
	return s;
}

static uint32_t pattern(uint32_t seq, uint32_t i)
{
	uint32_t x = seq * 0x01000193U + i * 0x9e3779b9U;

	return x ^ (x >> 13);
}

static void box_write(uint64_t box, uint32_t seq, const uint32_t *d, uint32_t n)
{
	wg(box + BOX_SEQ, 0);
	zt_dsb();
	for (uint32_t i = 0; i < n; i++)
		wg(box + BOX_DATA + 4 * i, d[i]);
	wg(box + BOX_LEN, n);
	wg(box + BOX_SUM, checksum(d, n, seq));
	zt_dsb();
	wg(box + BOX_SEQ, seq);
	zt_dsb();
}

/* 1: a whole message read; 0: torn or empty (retry later); -1: its checksum is wrong. */
static int box_read(uint64_t box, uint32_t *seq, uint32_t *d, uint32_t *n)
{
	uint32_t s = rg(box + BOX_SEQ), len = rg(box + BOX_LEN), sum = rg(box + BOX_SUM);

	if (!s || len > WORDS)
		return 0;
	for (uint32_t i = 0; i < len; i++)
		d[i] = rg(box + BOX_DATA + 4 * i);
	zt_dsb();
	if (rg(box + BOX_SEQ) != s)
		return 0;
	*seq = s;
	*n = len;
	return s == SEQ_DONE || checksum(d, len, s) == sum ? 1 : -1;
}

static unsigned self_id, peer_id;

/* The lowest-numbered VM sharing a region with us, waited for up to 5 s. */
static int find_peer(void)
{
	uint64_t peers = 0;

	self_id = db_r(SHM_DB_ID);
	zt_wait((peers = db_r(SHM_DB_PEERS_LO) | (uint64_t)db_r(SHM_DB_PEERS_HI) << 32) != 0, 5000);
	if (!peers)
		return -1;
	peer_id = (unsigned)__builtin_ctzll(peers);
	return 0;
}

/* Rings to every VM id that is not a peer (other VMs with a doorbell among them, when the
 * test made some), to ourselves and to ids no VM can have: all refused and counted. */
static int c_refuses(void)
{
	uint32_t rung = db_r(SHM_DB_RUNG), refused = db_r(SHM_DB_REFUSED);
	uint64_t peers = db_r(SHM_DB_PEERS_LO) | (uint64_t)db_r(SHM_DB_PEERS_HI) << 32;
	const uint32_t bad[] = {64, 1000, 0xffffffffU};
	unsigned n = ZT_ARRAY_SIZE(bad);

	for (unsigned id = 0; id < 64; id++)
		if (!(peers >> id & 1)) {
			db_w(SHM_DB_RING, id);
			n++;
		}
	for (unsigned i = 0; i < ZT_ARRAY_SIZE(bad); i++)
		db_w(SHM_DB_RING, bad[i]);
	zt_w8(zt_plat.shm_db + SHM_DB_RING, (uint8_t)peer_id); /* not 32-bit: ignored */
	CHECK(db_r(SHM_DB_REFUSED) == refused + n, "refused %u -> %u, want +%u", refused,
	      db_r(SHM_DB_REFUSED), n);
	CHECK(db_r(SHM_DB_RUNG) == rung, "a bad ring was delivered (rung %u -> %u)", rung,
	      db_r(SHM_DB_RUNG));
	CHECK(db_r(SHM_DB_ID) == self_id, "ID changed");
	return 0;
}

static unsigned min_ms(void)
{
	char buf[16];

	return zt_bootarg("zvmshmms", buf, sizeof(buf)) ? (unsigned)zt_strtoull(buf, NULL) : 3000;
}

/* A: one message, then its answer; re-rings every 300 ms, gives up after 30 s. */
static int send_one(uint32_t seq, unsigned *resends)
{
	uint32_t d[WORDS], r[WORDS], n = 4 + seq % (WORDS - 4), rs, rn;
	uint64_t give_up = zt_now() + zt_ms(30000);
	uint32_t seen = irqs;

	for (uint32_t i = 0; i < n; i++)
		d[i] = pattern(seq, i);
	box_write(L_BOX0, seq, d, n);
	db_w(SHM_DB_RING, peer_id);
	for (;;) {
		if (!zt_wait(irqs != seen, 300)) {
			CHECK(zt_now() < give_up, "no answer to message %u for 30 s", seq);
			(*resends)++;
			db_w(SHM_DB_RING, peer_id);
			continue;
		}
		seen = irqs;
		int got = box_read(L_BOX1, &rs, r, &rn);

		CHECK(got >= 0, "bad checksum on answer %u", rs);
		if (!got || rs != seq)
			continue; /* an old answer, or a torn one: wait for the next ring */
		CHECK(rn == n, "answer %u has %u words, sent %u", seq, rn, n);
		for (uint32_t i = 0; i < n; i++)
			CHECK(r[i] == (~d[i] ^ seq), "answer %u word %u: 0x%x, want 0x%x", seq, i,
			      r[i], ~d[i] ^ seq);
		return 0;
	}
}

static int c_exchange(void)
{
	uint64_t end = zt_now() + zt_ms(min_ms());
	unsigned resends = 0;
	uint32_t seq;

	zt_irq_on();
	for (seq = 1; seq <= 50 || zt_now() < end; seq++)
		if (send_one(seq, &resends))
			return -1;
	box_write(L_BOX0, SEQ_DONE, NULL, 0);
	db_w(SHM_DB_RING, peer_id);
	zt_note("shm: %u messages answered, %u re-rings, %u doorbell interrupts", seq - 1, resends,
		irqs);
	CHECK(irqs >= seq - 1, "%u answers but only %u doorbell interrupts", seq - 1, irqs);
	return 0;
}

static int c_survives(void)
{
	CHECK(rg(L_CANARY) == CANARY, "canary 0x%x, want 0x%x", rg(L_CANARY), CANARY);
	CHECK(rg(L_MAGIC) == MAGIC, "magic 0x%x, want 0x%x", rg(L_MAGIC), MAGIC);
	return 0;
}

/* B: answers until A says done. */
static int c_respond(void)
{
	uint32_t d[WORDS], seq, n, seen = irqs, handled = 0;

	zt_irq_on();
	for (;;) {
		CHECK(zt_wait(irqs != seen, 30000), "no doorbell for 30 s after %u answers",
		      handled);
		seen = irqs;
		int got = box_read(L_BOX0, &seq, d, &n);

		CHECK(got >= 0, "bad checksum on message %u", seq);
		if (!got)
			continue;
		if (seq == SEQ_DONE)
			break;
		for (uint32_t i = 0; i < n; i++)
			d[i] = ~d[i] ^ seq;
		box_write(L_BOX1, seq, d, n);
		db_w(SHM_DB_RING, peer_id);
		handled++;
	}
	zt_note("shm: answered %u messages in boot %u", handled, rg(L_BOOTS));
	return 0;
}

static bool shm_setup(void)
{
	if (!zt_plat.shm_db || !zt_plat.shm_base || zt_plat.shm_size < 4096 || !zt_plat.shm_intid) {
		zt_result("shm_dt", false, "no usable zvm,shm-doorbell node in the DT");
		return false;
	}
	zt_irq_set_handler(zt_plat.shm_intid, on_doorbell);
	zt_gic_enable(0, zt_plat.shm_intid);
	return true;
}

static void run_shm(void)
{
	if (!shm_setup())
		return;
	if (find_peer()) {
		zt_result("shm_peer", false, "no peer shares the region after 5 s");
		return;
	}
	zt_note("shm: VM %u, peer %u, region 0x%lx+0x%lx, doorbell INTID %u", self_id, peer_id,
		(unsigned long)zt_plat.shm_base, (unsigned long)zt_plat.shm_size,
		zt_plat.shm_intid);
	if (self_id < peer_id) {
		for (unsigned i = 0; i < PROBE_N; i++)
			wg(L_PROBE + 4 * i, PROBE(i));
		wg(L_MAGIC, MAGIC);
		zt_case("shm_doorbell_refuses_non_peers", c_refuses);
		zt_case("shm_exchange", c_exchange);
	} else {
		uint32_t boots = rg(L_BOOTS) + 1;

		wg(L_BOOTS, boots);
		if (boots == 1)
			wg(L_CANARY, CANARY);
		else
			zt_case("shm_region_survives_reset", c_survives);
		zt_case("shm_respond", c_respond);
	}
	zt_gic_disable(0, zt_plat.shm_intid);
}
ZT_SET(shm, 1, run_shm, "shared memory and doorbell between two VMs (ZVM only)");

/* A store that must abort: one exception, a data abort with WnR at the address. */
static int store_aborts(uint64_t a, unsigned bytes)
{
	struct zt_exc e;

	zt_exc_arm(ZT_RESUME_NEXT, 0);
	if (bytes == 1)
		zt_w8(a, 0xee);
	else if (bytes == 4)
		zt_w32(a, 0xdeadbeefU);
	else
		zt_w64(a, 0xdeadbeefdeadbeefULL);
	e = zt_exc_disarm();
	CHECK(e.count == 1, "%u-byte store at 0x%lx: %u exceptions, want 1", bytes,
	      (unsigned long)a, e.count);
	CHECK(ESR_EC(e.esr) == EC_DABT_CUR && (e.esr & ISS_DABT_WNR),
	      "%u-byte store: ESR 0x%lx, want a data abort on a write", bytes,
	      (unsigned long)e.esr);
	CHECK(e.far == a, "FAR 0x%lx, want 0x%lx", (unsigned long)e.far, (unsigned long)a);
	return 0;
}

static int c_ro(void)
{
	uint64_t p = zt_plat.shm_base + L_PROBE;

	CHECK(zt_plat.shm_ro, "the DT does not mark the region read-only");
	CHECK(zt_wait(zt_r32(p) == PROBE(0), 5000), "no probe pattern in the region (0x%x)",
	      zt_r32(p));
	if (store_aborts(p, 4) || store_aborts(p + 4 * 5 + 1, 1) || store_aborts(p + 8, 8))
		return -1;
	for (unsigned i = 0; i < PROBE_N; i++)
		CHECK(zt_r32(p + 4 * i) == PROBE(i), "probe word %u is 0x%x after the stores", i,
		      zt_r32(p + 4 * i));
	return 0;
}

static void run_shm_ro(void)
{
	if (!shm_setup())
		return;
	self_id = db_r(SHM_DB_ID);
	peer_id = self_id; /* c_refuses rings only bad ids */
	zt_case("shm_ro_write_aborts", c_ro);
	zt_case("shm_ro_doorbell_refuses_non_peers", c_refuses);
	zt_gic_disable(0, zt_plat.shm_intid);
}
ZT_SET(shm_ro, 1, run_shm_ro, "a read-only shared region: stores abort, nothing changes");
