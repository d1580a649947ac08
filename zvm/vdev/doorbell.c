/* The shm device of a VM (include/zvm/vdev/doorbell.h): the doorbell's registers, the guest DT
 * node describing the doorbell and the regions, and `zvm info -n` lines. Registers are
 * emulated in the exit path (exception context): a ring or an acknowledge is one short
 * section under db_lock, nothing more. */
#include <errno.h>
#include <kernel/heap.h>
#include <kernel/printk.h>
#include <libfdt.h>
#include <string.h>
#include <zvm/guest_log.h>
#include <zvm/mmio.h>
#include <zvm/stage2.h>
#include <zvm/vcpu.h>
#include <zvm/vdev/doorbell.h>
#include <zvm/vm.h>
#include <zvm/vm_fdt.h>

static int db_read(struct vcpu *v, void *dev, uint64_t offset, unsigned size, uint64_t *val)
{
	struct doorbell *db = dev;
	uint64_t pending, peers;

	(void)v;
	*val = 0;
	if (size != 4)
		return 0; /* RAZ: the registers are 32-bit */
	shm_db_masks(db, &pending, &peers);
	switch (offset) {
	case SHM_DB_ID:
		*val = db->vdev.vm->id;
		break;
	case SHM_DB_PENDING_LO:
		*val = (uint32_t)pending;
		break;
	case SHM_DB_PENDING_HI:
		*val = pending >> 32;
		break;
	case SHM_DB_PEERS_LO:
		*val = (uint32_t)peers;
		break;
	case SHM_DB_PEERS_HI:
		*val = peers >> 32;
		break;
	case SHM_DB_RUNG:
		*val = __atomic_load_n(&db->rung, __ATOMIC_RELAXED);
		break;
	case SHM_DB_REFUSED:
		*val = __atomic_load_n(&db->refused, __ATOMIC_RELAXED);
		break;
	case SHM_DB_RECEIVED:
		*val = __atomic_load_n(&db->received, __ATOMIC_RELAXED);
		break;
	}
	return 0;
}

static int db_write(struct vcpu *v, void *dev, uint64_t offset, unsigned size, uint64_t val)
{
	struct doorbell *db = dev;

	if (size != 4) {
		guest_log(v, "doorbell: %u-byte write at +0x%llx ignored (32-bit registers)", size,
			  (unsigned long long)offset);
		return 0;
	}
	val = (uint32_t)val;
	switch (offset) {
	case SHM_DB_RING:
		if (!shm_db_ring(db, val))
			guest_log(v, "doorbell: ring of %llu refused: not a VM sharing a region",
				  (unsigned long long)val);
		break;
	case SHM_DB_ACK_LO:
		shm_db_ack(db, val);
		break;
	case SHM_DB_ACK_HI:
		shm_db_ack(db, val << 32);
		break;
	}
	return 0;
}

static const struct mmio_ops db_mmio_ops = {
    .read = db_read,
    .write = db_write,
};

/* VM reset: nothing pending for the new boot; the regions and their content stay. */
static void db_reset(struct vdev *d)
{
	shm_db_ack((struct doorbell *)d, ~0ULL);
}

static void db_stop(struct vdev *d)
{
	shm_vm_unregister((struct doorbell *)d);
}

static void db_destroy(struct vdev *d)
{
	shm_vm_detach((struct doorbell *)d);
	k_free(d);
}

/* The doorbell's SPI again, as a key of a "gpio-keys" node with no GPIO: Linux's gpio_keys
 * (Debian builds it, uio_pdrv_genirq it does not) turns each ring into a key press on an input
 * device named "zvm-shm-doorbell", which userspace can sleep on (guests/linux/zvm-shm reads
 * it). Rising edge: the driver cannot acknowledge the doorbell, so a level interrupt would
 * storm; the line drops when userspace writes ACK and rises at the next ring. */
#define DOORBELL_KEY_CODE 148 /* KEY_PROG1 */

static int doorbell_key_node(void *fdt, unsigned spi)
{
	int err = fdt_begin_node(fdt, "shm-doorbell-key");

	if (!err)
		err = fdt_property_string(fdt, "compatible", "gpio-keys");
	if (!err)
		err = fdt_property_string(fdt, "label", "zvm-shm-doorbell");
	if (!err)
		err = fdt_begin_node(fdt, "doorbell");
	if (!err)
		err = fdt_property_string(fdt, "label", "doorbell");
	if (!err)
		err = vm_fdt_prop_spi_edge(fdt, spi);
	if (!err)
		err = fdt_property_u32(fdt, "linux,code", DOORBELL_KEY_CODE);
	if (!err) /* press and release at once, no timer */
		err = fdt_property_u32(fdt, "debounce-interval", 0);
	if (!err)
		err = fdt_end_node(fdt);
	return err ? err : fdt_end_node(fdt);
}

/* One node for the doorbell and every region, so Linux's uio_pdrv_genirq (of_id=generic-uio)
 * binds it as one /dev/uioN: map 0 the doorbell page, map i the i-th region, its interrupt
 * the doorbell. "zvm,read-only" holds one cell per region. */
static int db_fdt_node(struct vdev *d, void *fdt)
{
	static const char compat[] = "zvm,shm-doorbell\0generic-uio";
	struct doorbell *db = (struct doorbell *)d;
	fdt64_t reg[2 * (1 + SHM_VM_MAX)];
	fdt32_t ro[SHM_VM_MAX];
	char names[SHM_VM_MAX * SHM_NAME_MAX + sizeof("doorbell")] = "doorbell";
	int len = sizeof("doorbell"), err;

	reg[0] = cpu_to_fdt64(SHM_DB_BASE);
	reg[1] = cpu_to_fdt64(SHM_DB_SIZE);
	for (unsigned i = 0; i < db->nr; i++) {
		int n = (int)strlen(db->spec[i].name) + 1;

		reg[2 + 2 * i] = cpu_to_fdt64(db->spec[i].ipa);
		reg[3 + 2 * i] = cpu_to_fdt64(db->spec[i].size);
		ro[i] = cpu_to_fdt32(db->spec[i].ro);
		memcpy(names + len, db->spec[i].name, (size_t)n);
		len += n;
	}
	err = vm_fdt_begin_unit(fdt, "shm", SHM_DB_BASE);
	if (!err)
		err = fdt_property(fdt, "compatible", compat, sizeof(compat));
	if (!err)
		err = fdt_property(fdt, "reg", reg, (int)(2 * (1 + db->nr) * sizeof(reg[0])));
	if (!err)
		err = fdt_property(fdt, "reg-names", names, len);
	if (!err)
		err = vm_fdt_prop_spi(fdt, db->spi);
	if (!err)
		err = fdt_property(fdt, "zvm,read-only", ro, (int)(db->nr * sizeof(ro[0])));
	if (!err)
		err = fdt_property_string(fdt, "linux,uio-name", "zvm-shm");
	if (!err)
		err = fdt_end_node(fdt);
	return err ? err : doorbell_key_node(fdt, db->spi);
}

static void db_info(struct vdev *d, void (*print)(const char *fmt, ...))
{
	struct doorbell *db = (struct doorbell *)d;
	uint64_t pending, peers;

	shm_db_masks(db, &pending, &peers);
	print("shm doorbell: 0x%llx, SPI %u (INTID %u), peers 0x%llx, pending 0x%llx, rung %u, "
	      "refused %u, received %u",
	      (unsigned long long)SHM_DB_BASE, db->spi, db->spi + 32, (unsigned long long)peers,
	      (unsigned long long)pending, db->rung, db->refused, db->received);
	for (unsigned i = 0; i < db->nr; i++) {
		const struct shm_spec *s = &db->spec[i];
		const struct shm_region *r = db->region[i];

		print("shm region %s: IPA 0x%llx-0x%llx, %llu KiB, %s, %u VM(s) map it", s->name,
		      (unsigned long long)s->ipa, (unsigned long long)(s->ipa + s->size),
		      (unsigned long long)(s->size >> 10), s->ro ? "ro" : "rw", r ? r->refs : 0);
	}
}

static const struct vdev_ops db_vdev_ops = {
    .stop = db_stop,
    .reset = db_reset,
    .destroy = db_destroy,
    .fdt_node = db_fdt_node,
    .info = db_info,
};

/* Every region outside the VM's RAM and devices and below the IPA limit. */
static int check_ipas(struct vm *vm, struct doorbell *db)
{
	uint64_t busy[1 + MMIO_MAX_REGIONS][2];
	uint64_t limit = 1ULL << stage2_ipa_bits();
	size_t n = 0;

	busy[n][0] = vm->mem.ipa_base;
	busy[n++][1] = vm->mem.size;
	for (unsigned i = 0; i < vm->mmio.nr && n < 1 + MMIO_MAX_REGIONS; i++) {
		busy[n][0] = vm->mmio.regions[i].base;
		busy[n++][1] = vm->mmio.regions[i].size;
	}
	for (unsigned i = 0; i < db->nr; i++) {
		const char *why;

		if (db->spec[i].ipa >= limit || db->spec[i].size > limit - db->spec[i].ipa) {
			printk("error: --shm %s: past the %u-bit guest physical address space\n",
			       db->spec[i].name, stage2_ipa_bits());
			return -EINVAL;
		}
		if (shm_check_ipa(&db->spec[i], (const uint64_t(*)[2])busy, n, &why)) {
			printk("error: --shm %s: %s\n", db->spec[i].name, why);
			return -EINVAL;
		}
	}
	return 0;
}

int doorbell_create(struct vm *vm, const char *spec)
{
	struct doorbell *db;
	const char *why;
	int err;

	if (!spec)
		return 0;
	db = k_calloc(1, sizeof(*db));
	if (!db)
		return -ENOMEM;
	vdev_init(vm, &db->vdev, "shm", &db_vdev_ops);
	if (shm_parse_list(spec, db->spec, SHM_VM_MAX, &db->nr, &why)) {
		printk("error: bad --shm '%s': %s\n", spec, why);
		return -EINVAL;
	}
	err = vdev_add_mmio(&db->vdev, SHM_DB_BASE, SHM_DB_SIZE, &db_mmio_ops, db);
	if (err)
		return err;
	err = vdev_add_spi(&db->vdev, VDEV_SPI_ANY);
	if (err < 0)
		return err;
	db->spi = (unsigned)err;
	err = check_ipas(vm, db);
	return err ? err : shm_vm_attach(db);
}
