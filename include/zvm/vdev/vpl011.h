/* Virtual PL011 UART: the guest's console. Transmit is instant (each DR write goes to
 * vm_console_write), so the TX FIFO always reads empty; host console input fills a small RX
 * FIFO. The interrupt is one level-triggered SPI that follows MIS.
 *
 * vpl011.c is the device (lock, MMIO registration, interrupt line); vpl011_regs.c is the pure
 * register logic below it, host unit tested. */
#ifndef ZVM_VDEV_VPL011_H
#define ZVM_VDEV_VPL011_H

#include <lib/byte_ring.h>
#include <stdbool.h>
#include <stdint.h>

struct vm;

/* The guest's UART, written into its device tree by the VM's DT builder. */
#define VPL011_BASE  0x09000000ULL
#define VPL011_SIZE  0x1000ULL
#define VPL011_SPI   1
#define VPL011_INTID (32 + VPL011_SPI)

/* k_callocs the device into vm->uart and registers its MMIO region: 0 or a negative errno.
 * The vGIC must exist (vgic_vm_init) before the guest runs or input arrives: from then on
 * accesses and vpl011_receive() drive SPI VPL011_INTID. */
int vpl011_create(struct vm *vm);
/* Frees vm->uart (NULL is fine). Does not touch the vGIC, so any order against
 * vgic_vm_destroy() works; the MMIO bus and vpl011_receive() must be out of use. */
/* Back to the reset state (registers, FIFOs, interrupt line low); for a VM reset. */
void vpl011_reset(struct vm *vm);
void vpl011_destroy(struct vm *vm);
/* Host console input for the attached VM: queued for the guest (its RX FIFO, then an input
 * queue the FIFO refills from as the guest reads). Never waits: false when the queue is full
 * (the byte is dropped) or the VM has no UART. Any thread, any CPU. */
bool vpl011_receive(struct vm *vm, uint8_t c);

/* ---- Register logic (vpl011_regs.c): no locks, no side effects outside the struct ---- */

#define VPL011_FIFO_SIZE  32
#define VPL011_INPUT_SIZE 4096 /* typed or pasted input the guest has not read yet */

struct vpl011_regs {
	uint8_t rx[VPL011_FIFO_SIZE];
	unsigned rx_head, rx_count; /* ring: rx_count bytes from rx_head */
	uint32_t ilpr, ibrd, fbrd, lcr_h, cr, ifls, imsc;
	uint64_t rx_dropped;		      /* input lost to a full FIFO and input queue */
	struct byte_ring input;		      /* behind the FIFO, over input_buf */
	uint8_t input_buf[VPL011_INPUT_SIZE]; /* last: reset does not clear it */
};

/* What a register write asks the device to do once the lock is dropped. */
struct vpl011_effect {
	bool tx; /* send tx_char to the console */
	uint8_t tx_char;
};

void vpl011_regs_reset(struct vpl011_regs *r);
/* offset from the region base, size 1, 2 or 4: 0, or -EINVAL for an access that is not to a
 * register (misaligned, wrong width, reserved or out of range). */
int vpl011_regs_read(struct vpl011_regs *r, uint64_t offset, unsigned size, uint64_t *val);
int vpl011_regs_write(struct vpl011_regs *r, uint64_t offset, unsigned size, uint64_t val,
		      struct vpl011_effect *eff);
/* Queues one received byte; false (and counted in rx_dropped) when the FIFO is full. */
bool vpl011_regs_rx_push(struct vpl011_regs *r, uint8_t c);
/* Host input: into the FIFO if nothing waits before it, else into the input queue, which
 * refills the FIFO as the guest reads DR; false (counted in rx_dropped) when both are full. */
bool vpl011_regs_input(struct vpl011_regs *r, uint8_t c);
/* The masked interrupt status (MIS): the SPI is high while it is non-zero. */
uint32_t vpl011_regs_mis(const struct vpl011_regs *r);

#endif
