/* The host side of shared memory between VMs (include/zvm/vdev/doorbell.h): the one region
 * table, its pages and stage-2 mappings, and the registry the doorbells ring through.
 *
 * Invariants: a doorbell is registered only while all of its regions are attached and mapped;
 * every registered doorbell's peers equal shm_peer_mask() of the table (recomputed under
 * shm_mtx after every attach or detach, published under db_lock); a region's pages are zeroed
 * and cleaned to memory before its first member can map them. */
#include <arch/mmu.h>
#include <errno.h>
#include <kernel/init_hook.h>
#include <kernel/mutex.h>
#include <kernel/page_alloc.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <string.h>
#include <zvm/stage2.h>
#include <zvm/vdev/doorbell.h>
#include <zvm/vdev/vgic.h>
#include <zvm/vm.h>

static struct k_mutex shm_mtx;
static struct shm_table table; /* under shm_mtx */
static struct k_spinlock db_lock;
static struct doorbell *registry[VM_MAX]; /* under db_lock, by VM id */

static void shm_vm_init(void)
{
	k_mutex_init(&shm_mtx);
}
INIT_HOOK(INIT_HOOK_BOOT, shm_vm_init);

/* Zeroed and written back: guests may map it non-cacheable (a test guest's MMU is off) and
 * must never see an old owner's data or have a dirty host line evicted over their writes. */
static uintptr_t host_alloc(uint64_t size)
{
	void *p = page_alloc_bytes((size_t)size);

	if (!p)
		return 0;
	memset(p, 0, (size_t)size);
	dcache_clean_range((uintptr_t)p, (size_t)size);
	return (uintptr_t)p;
}

static void host_free(uintptr_t host, uint64_t size)
{
	(void)size;
	page_free((void *)host);
}

/* shm_mtx held: every registered doorbell's peers from the table as it is now. */
static void peers_update(void)
{
	for (unsigned id = 0; id < VM_MAX; id++) {
		uint64_t m = shm_peer_mask(&table, (int)id);
		k_spinlock_key_t key = k_spin_lock(&db_lock);

		if (registry[id])
			registry[id]->peers = m;
		k_spin_unlock(&db_lock, key);
	}
}

static void set_registered(struct doorbell *db, bool on)
{
	unsigned id = db->vdev.vm->id;
	k_spinlock_key_t key = k_spin_lock(&db_lock);

	if (on) {
		registry[id] = db;
	} else if (registry[id] == db) {
		registry[id] = NULL;
	}
	db->registered = on;
	k_spin_unlock(&db_lock, key);
}

int shm_vm_attach(struct doorbell *db)
{
	struct vm *vm = db->vdev.vm;
	int err = 0;

	k_mutex_lock(&shm_mtx, K_FOREVER);
	for (unsigned i = 0; i < db->nr && !err; i++) {
		const struct shm_spec *s = &db->spec[i];
		const char *why = NULL;

		db->region[i] = shm_attach(&table, s, (int)vm->id, host_alloc, &why);
		if (!db->region[i]) {
			printk("error: shared region '%s': %s\n", s->name, why);
			err = -EINVAL;
			break;
		}
		err = stage2_map(&vm->s2, s->ipa, db->region[i]->host, (size_t)s->size,
				 s->ro ? S2_RAM_RO : S2_RAM);
		if (err)
			printk("error: shared region '%s': stage-2 mapping failed (%d)\n", s->name,
			       err);
		else
			db->mapped[i] = true;
	}
	if (!err)
		set_registered(db, true);
	peers_update();
	k_mutex_unlock(&shm_mtx);
	return err;
}

void shm_vm_unregister(struct doorbell *db)
{
	set_registered(db, false);
}

void shm_vm_detach(struct doorbell *db)
{
	struct vm *vm = db->vdev.vm;

	set_registered(db, false);
	k_mutex_lock(&shm_mtx, K_FOREVER);
	for (unsigned i = 0; i < db->nr; i++) {
		/* Unmapped first: the pages may go to someone else below. */
		if (db->mapped[i])
			stage2_unmap(&vm->s2, db->spec[i].ipa, (size_t)db->spec[i].size);
		db->mapped[i] = false;
		if (db->region[i]) {
			if (shm_detach(&table, db->region[i], (int)vm->id, host_free))
				pr_info("zvm: shared region '%s' freed\n", db->spec[i].name);
			db->region[i] = NULL;
		}
	}
	peers_update();
	k_mutex_unlock(&shm_mtx);
}

static void set_line(struct doorbell *db, bool level)
{
	vgic_set_irq(db->vdev.vm, NULL, 32 + db->spi, level);
}

bool shm_db_ring(struct doorbell *db, uint64_t val)
{
	unsigned self = db->vdev.vm->id;
	k_spinlock_key_t key = k_spin_lock(&db_lock);
	struct doorbell *to = NULL;

	if (db->registered && shm_db_ring_ok(db->peers, self, val))
		to = registry[val];
	if (to) {
		to->pending |= 1ULL << self;
		to->received++;
		db->rung++;
		/* The peer stays allocated while registered: it unregisters (under this lock)
		 * before its VM is freed. */
		set_line(to, true);
	} else {
		db->refused++;
	}
	k_spin_unlock(&db_lock, key);
	return to != NULL;
}

void shm_db_ack(struct doorbell *db, uint64_t mask)
{
	k_spinlock_key_t key = k_spin_lock(&db_lock);

	db->pending &= ~mask;
	if (!db->pending)
		set_line(db, false);
	k_spin_unlock(&db_lock, key);
}

void shm_db_masks(struct doorbell *db, uint64_t *pending, uint64_t *peers)
{
	k_spinlock_key_t key = k_spin_lock(&db_lock);

	*pending = db->pending;
	*peers = db->peers;
	k_spin_unlock(&db_lock, key);
}
