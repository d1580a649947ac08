/* hostile_mmio: every vCPU issues random loads and stores (1/2/4/8 bytes, pairs, exclusives,
 * acquire/release, LSE atomics if the CPU has them, writeback forms, unaligned addresses) at
 * random IPAs over the whole IPA space, half of them in the emulated devices (GICD, GICR,
 * PL011, PL061), with random values, for `zvmsecs`. Every exception is caught and the access
 * skipped. Pass: every vCPU runs to the end, the GIC and the UART still work afterwards (they
 * are reset first: random writes may legitimately have broken them), and the guest prints
 * this line. What the host must survive is the point; the system test watches it. */
#include "t_hostile.h"

/* Never stored to: the guest's own RAM (image, stacks, the DTB: it would corrupt itself), the
 * pvpanic page (a write there is the guest declaring itself crashed) and the UART data
 * register (the console is the result channel; garbage in it is not a hypervisor matter). */
static bool store_allowed(uint64_t a, unsigned len)
{
	if (hostile_overlaps_ram(a, len))
		return false;
	if (zt_plat.pvpanic && a < zt_plat.pvpanic + 0x1000 && a + len > zt_plat.pvpanic)
		return false;
	return !(zt_plat.uart && a < zt_plat.uart + 4 && a + len > zt_plat.uart);
}

static uint64_t pick_addr(uint64_t *s, unsigned pa_bits)
{
	uint64_t base, size;
	uint64_t gicr_size = zt_plat.gicr_size ? zt_plat.gicr_size : ZT_GICR_STRIDE * ZT_MAX_CPUS;

	switch (hrand_below(s, 8)) {
	case 0:
		base = zt_plat.gicd, size = 0x10000;
		break;
	case 1: /* GICv2: the CPU interface instead, both pages */
		base = zt_gic_v2() ? zt_plat.gicc : zt_plat.gicr;
		size = zt_gic_v2() ? 0x2000 : gicr_size;
		break;
	case 2:
		base = zt_plat.uart, size = 0x1000;
		break;
	case 3:
		base = zt_plat.gpio ? zt_plat.gpio : zt_plat.uart, size = 0x1000;
		break;
	case 4: /* just past PARange, or anywhere in 64 bits */
		return hrand_below(s, 2) ? (1ULL << pa_bits) + hrand_below(s, 1ULL << 30)
					 : hrand(s);
	default:
		return hrand_below(s, 1ULL << pa_bits);
	}
	uint64_t off = hrand_below(s, size);
	if (hrand_below(s, 8)) /* mostly register-aligned, sometimes not */
		off &= ~3ULL;
	return base + off;
}

static bool have_lse(void)
{
	return ((zt_read_sysreg(id_aa64isar0_el1) >> 20) & 0xf) >= 2;
}

/* One access; returns false if it was not made (a store that is not allowed there). */
static bool one_access(uint64_t *s, uint64_t a, bool lse)
{
	uint64_t v = hrand_value(s), w = hrand(s), st = 0;
	unsigned op = hrand_below(s, 18);
	static const unsigned store_len[18] = {0,  0, 0, 0, 1, 2, 4, 8, 0,
					       16, 0, 8, 0, 8, 8, 0, 0, 8};

	if (store_len[op] && !store_allowed(a, store_len[op]))
		return false;
	switch (op) {
	case 0:
		__asm__ volatile("ldrb %w0, [%1]" : "=r"(v) : "r"(a) : "memory");
		break;
	case 1:
		__asm__ volatile("ldrh %w0, [%1]" : "=r"(v) : "r"(a) : "memory");
		break;
	case 2:
		__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(a) : "memory");
		break;
	case 3:
		__asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(a) : "memory");
		break;
	case 4:
		__asm__ volatile("strb %w0, [%1]" : : "r"(v), "r"(a) : "memory");
		break;
	case 5:
		__asm__ volatile("strh %w0, [%1]" : : "r"(v), "r"(a) : "memory");
		break;
	case 6:
		__asm__ volatile("str %w0, [%1]" : : "r"(v), "r"(a) : "memory");
		break;
	case 7:
		__asm__ volatile("str %0, [%1]" : : "r"(v), "r"(a) : "memory");
		break;
	case 8: /* pairs carry no syndrome (ESR.ISV = 0) */
		__asm__ volatile("ldp %0, %1, [%2]" : "=&r"(v), "=&r"(w) : "r"(a) : "memory");
		break;
	case 9:
		__asm__ volatile("stp %0, %1, [%2]" : : "r"(v), "r"(w), "r"(a) : "memory");
		break;
	case 10:
		__asm__ volatile("ldxr %0, [%1]" : "=r"(v) : "r"(a) : "memory");
		break;
	case 11:
		__asm__ volatile("stxr %w0, %1, [%2]" : "=&r"(st) : "r"(v), "r"(a) : "memory");
		break;
	case 12:
		__asm__ volatile("ldar %0, [%1]" : "=r"(v) : "r"(a) : "memory");
		break;
	case 13:
		__asm__ volatile("stlr %0, [%1]" : : "r"(v), "r"(a) : "memory");
		break;
	case 14:
		if (lse)
			__asm__ volatile(".arch_extension lse\n\tldadd %1, %0, [%2]"
					 : "=&r"(w)
					 : "r"(v), "r"(a)
					 : "memory");
		else
			__asm__ volatile("str %1, [%0], #8" : "+r"(a) : "r"(v) : "memory");
		break;
	case 15: /* writeback: no syndrome either */
		__asm__ volatile("ldr %0, [%1], #8" : "=r"(v), "+r"(a) : : "memory");
		break;
	case 16:
		__asm__ volatile("ldp %w0, %w1, [%2]" : "=&r"(v), "=&r"(w) : "r"(a) : "memory");
		break;
	default:
		if (lse)
			__asm__ volatile(".arch_extension lse\n\tswpal %1, %0, [%2]"
					 : "=&r"(w)
					 : "r"(v), "r"(a)
					 : "memory");
		else
			__asm__ volatile("str %0, [%1]" : : "r"(v), "r"(a) : "memory");
	}
	ZT_UNUSED(st);
	return true;
}

static volatile uint64_t deadline;
static volatile unsigned stormed;      /* vCPUs done with the storm */
static volatile unsigned gic_restored; /* the distributor is set up again */
static volatile int dist_rc, cpu_rc[ZT_MAX_CPUS];

static void w_storm(uint64_t cpu)
{
	struct hostile_tally *t = &hostile_tally[cpu];
	uint64_t s = hostile_seed(1, (unsigned)cpu);
	unsigned pa = hostile_pa_bits(), seen = 0;
	bool lse = have_lse();

	zt_irq_off();
	zt_exc_arm(ZT_RESUME_NEXT, 0);
	while (zt_now() < deadline) {
		for (unsigned k = 0; k < 64; k++) {
			if (one_access(&s, pick_addr(&s, pa), lse)) {
				t->ops = t->ops + 1;
				hostile_account(t, &seen);
			} else {
				t->extra[0] = t->extra[0] + 1;
			}
		}
	}
	zt_exc_disarm();
	/* Random writes may have switched off the UART, the distributor, any redistributor or
	 * CPU interface. Once every vCPU has stopped, vCPU 0 resets the devices and the
	 * distributor; the others wait for that by polling (no interrupt needed) and then redo
	 * their own redistributor and CPU interface. */
	__atomic_fetch_add(&stormed, 1, __ATOMIC_SEQ_CST);
	if (cpu == 0) {
		uint64_t end = zt_now() + zt_ms(5000);
		while (stormed < zt_plat.nr_cpus && zt_now() < end)
			zt_relax();
		hostile_reset_devices();
		dist_rc = zt_gic_init_dist();
		zt_dsb();
		gic_restored = 1;
	} else {
		while (!gic_restored)
			zt_relax();
	}
	cpu_rc[cpu] = zt_gic_init_cpu();
	hostile_quiet_cpu();
}

static int c_mmio_storm(void)
{
	char why[120];
	unsigned n = zt_plat.nr_cpus;

	/* vCPU 0 restores the GIC: it is the boot vCPU in every layout ZVM gives. */
	if (zt_cpu_id() != 0)
		return zt_fail("the boot vCPU is %u, not 0", zt_cpu_id());
	stormed = 0;
	gic_restored = 0;
	deadline = zt_now() + zt_ms(1000ULL * hostile_secs());
	zt_note("hostile_mmio: %u vCPU(s), %u s, seed %lu, IPA bits %u, LSE %s", n, hostile_secs(),
		(unsigned long)zt_plat.seed, hostile_pa_bits(), have_lse() ? "yes" : "no");
	bool ok = hostile_run_all(w_storm, why, sizeof(why));
	const char *names[4] = {"stores-skipped", NULL, NULL, NULL};
	hostile_report("hostile_mmio", names, zt_plat.nr_cpus);
	CHECK(ok, "%s", why);
	CHECK(!dist_rc, "the GIC distributor did not come back");
	for (unsigned i = 0; i < n; i++)
		CHECK(!cpu_rc[i], "vCPU %u: its GIC CPU interface did not come back", i);
	/* The GIC works again: an SGI to every other vCPU through the work mailbox. */
	for (unsigned i = 1; i < n; i++)
		CHECK(zt_cpu_call(i, hostile_noop, i, 1000), "vCPU %u no longer takes work", i);
	return 0;
}

static void run_hostile_mmio(void)
{
	zt_case("hostile_mmio", c_mmio_storm);
}
ZT_SET(hostile_mmio, 1, run_hostile_mmio,
       "random MMIO over the whole IPA space from every vCPU for zvmsecs");
