/* A VM's virtual devices: each is a struct vdev (usually the first member of the device's own
 * struct) in a list per VM, with its MMIO regions on the VM's bus and its SPIs from the VM's
 * SPI allocator. The VM code only walks the list: reset on a VM reset, fdt_node while the
 * guest DT is built, destroy when the VM is freed. Adding a device means a create function
 * (listed in vdev_board.c) and nothing in vm.c or vm_fdt.c.
 *
 * The list only changes while the VM is built (one thread, before the vCPUs run) and when it
 * is freed (after they are gone): walking it needs no lock. */
#ifndef ZVM_VDEV_VDEV_H
#define ZVM_VDEV_VDEV_H

#include <stdbool.h>
#include <stdint.h>
#include <zvm/mmio.h>

struct vm;
struct vdev;
struct vdev_worker;

#define VDEV_MAX_REGIONS 2
#define VDEV_MAX_SPIS	 2
#define VDEV_SPI_ANY	 (-1)
/* Where VDEV_SPI_ANY starts looking: below are the fixed SPIs of the QEMU-virt-like layout
 * (UART 1, GPIO 7); QEMU virt too puts its virtio-mmio transports from SPI 16 on. */
#define VDEV_SPI_DYN_BASE 16
#define VDEV_NR_SPIS	  96 /* VGIC_NR_SPIS: INTIDs 32..127 */

struct vdev_ops {
	/* The VM is being stopped for good: before any device's worker stops, so a device that
	 * other VMs' threads can reach (a switch port) leaves them first (optional). */
	void (*stop)(struct vdev *d);
	/* VM reset, all vCPUs parked and every worker quiesced: back to the power-on state
	 * (optional). */
	void (*reset)(struct vdev *d);
	/* VM freed, its vCPUs gone and every worker stopped: frees the device, d included.
	 * Must tolerate a device whose create failed half-way (it is listed from the start). */
	void (*destroy)(struct vdev *d);
	/* Writes the device's nodes under the guest DT's root: 0 or -FDT_ERR_* (optional). */
	int (*fdt_node)(struct vdev *d, void *fdt);
	/* One line or more for `zvm info -n ID`, through print (optional). */
	void (*info)(struct vdev *d, void (*print)(const char *fmt, ...));
};

struct vdev_region {
	uint64_t base, size;
};

struct vdev {
	const char *name;
	const struct vdev_ops *ops;
	struct vm *vm;
	struct vdev *next; /* creation order: the DT lists devices in it */
	struct vdev_region regions[VDEV_MAX_REGIONS];
	unsigned nr_regions;
	unsigned spis[VDEV_MAX_SPIS]; /* SPI numbers: INTID - 32 */
	unsigned nr_spis;
	struct vdev_worker *worker; /* NULL unless vdev_worker_init() gave it one */
	/* Its worker's passes and CPU handoffs, kept here (not in the worker) so `zvm info`
	 * reads them safely while a delete frees the worker (racy counts). */
	unsigned long worker_runs, worker_handoffs;
};

/* Per VM: the devices and the SPIs they hold. Zeroed with the VM. */
struct vdev_set {
	struct vdev *head, **tail;
	uint32_t spi_used[VDEV_NR_SPIS / 32];
};

/* Lists d (zeroed by the caller, may be embedded) on vm: from now on the VM frees it through
 * ops->destroy, so a create function that fails after this just returns the error. */
void vdev_init(struct vm *vm, struct vdev *d, const char *name, const struct vdev_ops *ops);
/* Registers [base, base + size) on the VM's bus with dev as the handlers' device pointer:
 * 0, -ENOSPC (no room in d or on the bus), -EBUSY (overlaps), -EINVAL. */
int vdev_add_mmio(struct vdev *d, uint64_t base, uint64_t size, const struct mmio_ops *ops,
		  void *dev);
/* Takes SPI want (a fixed layout) or, with VDEV_SPI_ANY, the lowest free one from
 * VDEV_SPI_DYN_BASE; returns the SPI number (INTID - 32) or -EBUSY, -ENOSPC, -EINVAL. */
int vdev_add_spi(struct vdev *d, int want);

/* ---- The VM side ---- */
/* Calls every device's create function of the board (vdev_board.c), in order, then those of
 * the optional devices whose bits are set in optional (vdev_optional_names order). */
int vdev_create_board(struct vm *vm, uint32_t optional);
/* The optional devices' names (`zvm new --dev NAME`), VDEV_NR_OPTIONAL of them. */
#define VDEV_NR_OPTIONAL 2
extern const char *const vdev_optional_names[VDEV_NR_OPTIONAL];
/* Quiesces every worker (idempotent; they stay quiet until vdev_reset_all). */
void vdev_quiesce_all(struct vm *vm);
/* Quiesces every worker, resets every device, resumes the workers. */
void vdev_reset_all(struct vm *vm);
/* Stops every worker, then destroys every device, last created first; the list is empty
 * after. */
void vdev_destroy_all(struct vm *vm);
/* ops->fdt_node of each device in creation order; the signature of vm_fdt_params.devices. */
int vdev_fdt_nodes(void *fdt, void *vm);
void vdev_info_all(struct vm *vm, void (*print)(const char *fmt, ...));

/* ---- The SPI allocator (pure) ---- */
/* Marks spi used: 0, -EINVAL (not below VDEV_NR_SPIS), -EBUSY (already used). */
int vdev_spi_take(struct vdev_set *s, unsigned spi);
/* The lowest free SPI at or above from, marked used; -ENOSPC when none. */
int vdev_spi_take_any(struct vdev_set *s, unsigned from);
void vdev_spi_release(struct vdev_set *s, unsigned spi);

#endif
