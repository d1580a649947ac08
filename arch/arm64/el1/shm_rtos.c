/* ZVM shared memory, RTOS guest side (EL1 image only: this directory is not in ZVM's build).
 * At boot: the first region and the doorbell of the DT's "zvm,shm-doorbell" node, mapped as
 * normal RW (never executable) memory and device memory, and the doorbell SPI. The doorbell
 * IRQ acknowledges every sender and gives a semaphore that shm_recv sleeps on. The region is
 * the peer's too: everything read from it goes through lib/shm_mbox's checks. */
#include <drivers/shm_rtos.h>

#include <arch/mmio.h>
#include <arch/mmu.h>
#include <drivers/gic.h>
#include <errno.h>
#include <kernel/board.h>
#include <kernel/init.h>
#include <kernel/init_hook.h>
#include <kernel/irq.h>
#include <kernel/mutex.h>
#include <kernel/printk.h>
#include <kernel/sem.h>
#include <lib/shm_mbox.h>
#include <libfdt.h>
#include <string.h>
#include <zvm/shm.h>

#define PAGE 4096u

static struct {
	int up;
	uint64_t base, size, db;
	unsigned intid, self;
	uint32_t tx_seq;   /* last sequence number we sent; under tx_lock */
	uint32_t rx_seen;  /* last sequence number taken from the peer's box */
	struct k_sem bell; /* given by the doorbell IRQ */
	struct k_mutex tx_lock, rx_lock;
	unsigned sent, received, bad_sum, irqs;
} shm;

static uint32_t db_rd(uint32_t off)
{
	return readl((uintptr_t)(shm.db + off));
}

static void db_wr(uint32_t off, uint32_t v)
{
	writel(v, (uintptr_t)(shm.db + off));
}

static uint64_t peers_mask(void)
{
	return ((uint64_t)db_rd(SHM_DB_PEERS_HI) << 32 | db_rd(SHM_DB_PEERS_LO)) &
	       ~(1ull << shm.self);
}

/* The one peer (lowest id sharing a region with us), or -1. */
static int the_peer(void)
{
	uint64_t m = peers_mask();

	return m ? __builtin_ctzll(m) : -1;
}

static volatile uint32_t *box_at(uint32_t off)
{
	return (volatile uint32_t *)(uintptr_t)(shm.base + off);
}

static void shm_irq(unsigned intid, void *arg)
{
	(void)intid;
	(void)arg;
	/* Level-triggered: acknowledge every sender before the EOI or it comes straight back. */
	db_wr(SHM_DB_ACK_LO, db_rd(SHM_DB_PENDING_LO));
	db_wr(SHM_DB_ACK_HI, db_rd(SHM_DB_PENDING_HI));
	__atomic_fetch_add(&shm.irqs, 1, __ATOMIC_RELAXED);
	k_sem_give(&shm.bell);
}

static int map_pages(uint64_t base, uint64_t size, enum mmu_prot prot)
{
	uint64_t page = base & ~(uint64_t)(PAGE - 1);

	return mmu_map(page, (base + size - page + PAGE - 1) & ~(uint64_t)(PAGE - 1), prot);
}

static void shm_rtos_boot(void)
{
	const void *fdt = host_dtb();
	int node = fdt_node_offset_by_compatible(fdt, -1, "zvm,shm-doorbell");
	struct board_region db, rg;
	int intid;

	if (node < 0)
		return;
	if (board_node_reg(fdt, node, 0, &db) || board_node_reg(fdt, node, 1, &rg) ||
	    db.size < PAGE || rg.size < SHM_MBOX_SPAN || (rg.base | db.base) & (PAGE - 1)) {
		pr_warn("shm: zvm,shm-doorbell node without a usable doorbell and region\n");
		return;
	}
	intid = board_node_irq(fdt, node, 0);
	if (intid < 0 || map_pages(db.base, PAGE, MMU_DEVICE) ||
	    map_pages(rg.base, rg.size, MMU_RAM_RW)) {
		pr_warn("shm: cannot map the region or no doorbell interrupt\n");
		return;
	}
	shm.base = rg.base;
	shm.size = rg.size;
	shm.db = db.base;
	shm.intid = (unsigned)intid;
	shm.self = db_rd(SHM_DB_ID) & 63;
	k_sem_init(&shm.bell, 0, 1);
	k_mutex_init(&shm.tx_lock);
	k_mutex_init(&shm.rx_lock);
	if (irq_connect(shm.intid, shm_irq, NULL)) {
		pr_warn("shm: INTID %u taken\n", shm.intid);
		return;
	}
	shm.up = 1;
	gic_irq_enable(shm.intid);
	pr_info("shm: region 0x%llx size 0x%llx, doorbell 0x%llx INTID %u, VM id %u\n",
		(unsigned long long)rg.base, (unsigned long long)rg.size,
		(unsigned long long)db.base, shm.intid, shm.self);
}
INIT_HOOK(INIT_HOOK_BOOT, shm_rtos_boot);

int shm_rtos_info(struct shm_rtos_info *o)
{
	if (!shm.up)
		return -ENODEV;
	o->base = shm.base;
	o->size = shm.size;
	o->db = shm.db;
	o->intid = shm.intid;
	o->self = shm.self;
	o->peers = peers_mask();
	o->sent = shm.sent;
	o->received = shm.received;
	o->bad_sum = shm.bad_sum;
	o->irqs = __atomic_load_n(&shm.irqs, __ATOMIC_RELAXED);
	return 0;
}

int shm_send(unsigned peer, const void *buf, size_t len)
{
	volatile uint32_t *box;
	int err;

	if (!shm.up)
		return -ENODEV;
	if (peer >= 64 || !(peers_mask() & (1ull << peer)) || len > SHM_MBOX_MAX)
		return -EINVAL;
	box = box_at(shm_mbox_tx_off(shm.self, peer));
	k_mutex_lock(&shm.tx_lock, K_FOREVER);
	/* Continue from what the box holds: it survives our resets, and a peer that saw seq n
	 * must not take a new message with seq n for an old one. */
	if (!shm.tx_seq)
		shm.tx_seq = box[0];
	if (++shm.tx_seq == 0 || shm.tx_seq == SHM_MBOX_SEQ_DONE)
		shm.tx_seq = 1;
	err = shm_mbox_write(box, shm.tx_seq, buf, len);
	k_mutex_unlock(&shm.tx_lock);
	if (!err) {
		db_wr(SHM_DB_RING, peer);
		shm.sent++;
	}
	return err ? -EINVAL : 0;
}

int shm_recv(void *buf, size_t size, k_timeout_t timeout, unsigned *peer, int *sum_ok)
{
	struct shm_mbox_msg m;
	int ret = -EAGAIN;

	if (!shm.up)
		return -ENODEV;
	k_mutex_lock(&shm.rx_lock, K_FOREVER);
	for (;;) {
		int p = the_peer();

		if (p >= 0) {
			enum shm_mbox_status st =
			    shm_mbox_read(box_at(shm_mbox_rx_off(shm.self, (unsigned)p)), &m);

			if (st != SHM_MBOX_NONE && m.seq != shm.rx_seen) {
				shm.rx_seen = m.seq;
				*peer = (unsigned)p;
				*sum_ok = st == SHM_MBOX_OK;
				shm.received++;
				shm.bad_sum += st != SHM_MBOX_OK;
				ret = (int)m.bytes;
				memcpy(buf, m.data, m.bytes < size ? m.bytes : size);
				break;
			}
		}
		/* A ring between the read above and this wait leaves the semaphore given. */
		if (k_sem_take(&shm.bell, timeout))
			break;
	}
	k_mutex_unlock(&shm.rx_lock);
	return ret;
}
