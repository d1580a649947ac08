/* Shared memory between VMs with a doorbell (`zvm new --shm NAME:SIZE_KB@IPA[:ro][,...]`).
 * A VM created with --shm gets one "shm" vdev: its regions mapped into its stage 2 (S2_RAM, or
 * S2_RAM_RO for ":ro") from the host-wide region table (include/zvm/shm.h), and a doorbell
 * page at SHM_DB_BASE with one level SPI. Regions outlive VM resets and are freed with their
 * last member. Locking (zvm/shm/shm_vm.c):
 *   shm_mtx   the region table: attach, map, detach (threads only; may zero megabytes);
 *   db_lock   the registry of doorbells by VM id and every doorbell's peers/pending; a
 *             spinlock held only for a mask update and one vgic_set_irq (exception context). */
#ifndef ZVM_VDEV_DOORBELL_H
#define ZVM_VDEV_DOORBELL_H

#include <stdbool.h>
#include <stdint.h>
#include <zvm/shm.h>
#include <zvm/vdev/vdev.h>

struct doorbell {
	struct vdev vdev;
	unsigned spi; /* INTID - 32 */
	unsigned nr;  /* regions in spec[] */
	struct shm_spec spec[SHM_VM_MAX];
	struct shm_region *region[SHM_VM_MAX]; /* NULL: not attached */
	bool mapped[SHM_VM_MAX];
	/* Under db_lock. */
	bool registered;  /* in the registry: peers may ring it */
	uint64_t peers;	  /* VMs sharing a region with this one */
	uint64_t pending; /* VMs that rang and were not acknowledged; the SPI is high while != 0 */
	uint32_t rung, refused, received;
};

/* Adds the shm device to vm when spec (the --shm value) is not NULL: parses it, checks the IPAs
 * against the VM's RAM and devices, attaches and maps every region. 0 or -errno (said in one
 * line). The VM's RAM and every other device must exist already. */
int doorbell_create(struct vm *vm, const char *spec);

/* ---- zvm/shm/shm_vm.c: the host side of the regions and the registry ---- */
/* Attaches and maps db's regions and registers db; 0 or -errno (printed). Thread context. */
int shm_vm_attach(struct doorbell *db);
/* Unregisters db, unmaps and detaches its regions (the last member frees the pages).
 * Idempotent; thread context. */
void shm_vm_detach(struct doorbell *db);
/* No more rings reach db (VM stopping for good). */
void shm_vm_unregister(struct doorbell *db);
/* A write of val to RING: true when it was delivered to a peer. Any context. */
bool shm_db_ring(struct doorbell *db, uint64_t val);
/* Clears the pending bits in mask; the SPI drops when none is left. Any context. */
void shm_db_ack(struct doorbell *db, uint64_t mask);
/* Snapshot of pending and peers, consistent with each other. */
void shm_db_masks(struct doorbell *db, uint64_t *pending, uint64_t *peers);

#endif
