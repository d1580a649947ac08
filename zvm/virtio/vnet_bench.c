/* `vnet bench`: the bare cost of one frame through the VM switch, as a library call at EL2:
 * vswitch_forward on a private switch (both addresses learnt), an inbox reservation, the copy
 * in, the publish, the peek and the copy out, for a 60-byte frame. No VM, no virtqueue, no
 * thread: the baseline `make bench` puts next to the round trip between two VMs
 * (bench/vnet_bench.py). Instructions by PMCCNTR_EL0 with EL2 counted (exact under QEMU
 * -icount shift=0); the fewest of BENCH_SAMPLES runs. Prints `VNET-BENCH frame N`. */
#include <arch/sysreg.h>
#include <errno.h>
#include <kernel/heap.h>
#include <kernel/percpu.h>
#include <shell/shell.h>
#include <string.h>
#include <zvm/virtio/vnet_inbox.h>
#include <zvm/virtio/vswitch.h>

#define BENCH_SAMPLES  101
#define FRAME	       60
#define PMCCFILTR_NSH  (1ull << 27)
#define PMCR_E	       (1ull << 0)
#define PMCNTEN_CYCLES (1ull << 31)

struct bench {
	struct vswitch sw;
	struct vnet_inbox inbox;
	uint8_t in[FRAME], out[VNET_FRAME_MAX];
};

static void mac(uint8_t *m, uint8_t id)
{
	static const uint8_t base[ETH_ALEN] = {0x52, 0x54, 0x00, 0x5a, 0x00, 0x00};

	memcpy(m, base, ETH_ALEN);
	m[5] = id;
}

/* One frame from port 0 to port 1: false if it went elsewhere or got lost. */
static bool one_frame(struct bench *b)
{
	struct vnet_slot *s;

	if (vswitch_forward(&b->sw, 0, b->in, FRAME, 0) != 2)
		return false;
	s = vnet_inbox_reserve(&b->inbox, FRAME);
	if (!s)
		return false;
	memcpy(s->data, b->in, FRAME);
	vnet_inbox_publish(s);
	s = vnet_inbox_peek(&b->inbox);
	if (!s)
		return false;
	memcpy(b->out, s->data, s->len);
	vnet_inbox_release(&b->inbox);
	return true;
}

static int cmd_bench(int argc, char **argv)
{
	struct bench *b = k_calloc(1, sizeof(*b));
	uint64_t pmcr = read_sysreg(pmcr_el0), filt = read_sysreg(pmccfiltr_el0);
	uint64_t en = read_sysreg(pmcntenset_el0), best = UINT64_MAX;
	bool ok = true;

	(void)argc;
	(void)argv;
	if (!b)
		return -ENOMEM;
	vswitch_init(&b->sw);
	vswitch_attach(&b->sw);
	vswitch_attach(&b->sw);
	mac(b->in, 2); /* to port 1's address, learnt below */
	mac(b->in + ETH_ALEN, 2);
	vswitch_forward(&b->sw, 1, b->in, FRAME, 0);
	mac(b->in + ETH_ALEN, 1);
	b->in[12] = 0x88;
	b->in[13] = 0xb5;
	write_sysreg(pmccfiltr_el0, PMCCFILTR_NSH); /* EL0, EL1 and EL2 */
	write_sysreg(pmcntenset_el0, PMCNTEN_CYCLES);
	write_sysreg(pmcr_el0, pmcr | PMCR_E);
	isb();
	for (unsigned i = 0; i < BENCH_SAMPLES && ok; i++) {
		unsigned cpu = cpu_id();
		uint64_t t0, t1;

		isb();
		t0 = read_sysreg(pmccntr_el0);
		isb();
		ok = one_frame(b);
		isb();
		t1 = read_sysreg(pmccntr_el0);
		if (cpu == cpu_id() && t1 - t0 < best)
			best = t1 - t0; /* an interrupt or a move only ever adds */
	}
	write_sysreg(pmcr_el0, pmcr);
	write_sysreg(pmccfiltr_el0, filt);
	if (!(en & PMCNTEN_CYCLES))
		write_sysreg(pmcntenclr_el0, PMCNTEN_CYCLES);
	isb();
	if (ok && !memcmp(b->in, b->out, FRAME))
		shell_print("VNET-BENCH frame %llu", (unsigned long long)best);
	else
		shell_print("VNET-BENCH FAILED");
	k_free(b);
	return 0;
}

static const struct shell_cmd vnet_subcmds[] = {
    SHELL_SUBCMD(bench, "", "instructions per frame through the bare switch and an inbox",
		 cmd_bench),
    SHELL_SUBCMD_END,
};
SHELL_CMD_REGISTER_SUBCMDS(vnet, "the VMs' virtio-net switch (per VM: zvm info -n ID)",
			   vnet_subcmds);
