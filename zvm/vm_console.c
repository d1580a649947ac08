/* Each VM's console: the last VM_CONSOLE_SIZE bytes its UART wrote, shown on `zvm look`, and
 * passed to the host console while a user is attached. The host console takes guest output
 * only as far as it has room (the guest never waits for the physical UART); what it cannot
 * take is dropped from the live view (not from the ring) and reported once room returns.
 * Invariant: the host console gets the VM's output in the ring's order. `sent` is how far it
 * got; attaching replays the ring from the oldest byte kept, and output goes live only once
 * the replay has caught up with `head` (both decided under the ring's lock). */
#include <drivers/console.h>
#include <kernel/printk.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include <string.h>
#include <zvm/vm.h>

/* Room for the report line itself besides the output that follows it. */
#define DROP_REPORT_ROOM 64
#define REPLAY_CHUNK	 256  /* bytes the replay copies at a time, on the shell's stack */
#define REPLAY_STALL_MS	 2000 /* a line that takes nothing this long ends the wait for it */

/* Offers output to the host console; returns how much it took (it never waits). */
static size_t offer_to_host(struct vm *vm, const char *s, size_t len)
{
	struct vm_console *c = &vm->console;
	size_t lost = __atomic_load_n(&c->dropped, __ATOMIC_RELAXED);

	/* Reported when the line has caught up, or once a second while a guest keeps the ring
	 * at its limit (then the report goes into the host's share). */
	if (lost && (console_guest_room() >= len + DROP_REPORT_ROOM ||
		     k_uptime_ms() - c->reported_ms >= 1000)) {
		lost = __atomic_exchange_n(&c->dropped, 0, __ATOMIC_RELAXED);
		c->reported_ms = k_uptime_ms();
		if (lost)
			printk("\n[vm%u: %zu bytes dropped]\n", vm->id, lost);
	}
	return console_write_guest(s, len);
}

static void pass_to_host(struct vm *vm, const char *s, size_t len)
{
	size_t n = offer_to_host(vm, s, len);

	if (n < len)
		__atomic_fetch_add(&vm->console.dropped, len - n, __ATOMIC_RELAXED);
}

/* c->lock held: the oldest byte still to replay, keeping at most the ring's worth (what the
 * guest overwrote meanwhile is counted as dropped). */
static void replay_clamp_locked(struct vm_console *c)
{
	if (c->head - c->sent > VM_CONSOLE_SIZE) {
		__atomic_fetch_add(&c->dropped, c->head - c->sent - VM_CONSOLE_SIZE,
				   __ATOMIC_RELAXED);
		c->sent = c->head - VM_CONSOLE_SIZE;
	}
}

void vm_console_write(struct vm *vm, const char *s, size_t len)
{
	struct vm_console *c = &vm->console;
	k_spinlock_key_t key = k_spin_lock(&c->lock);
	bool live;

	for (size_t i = 0; i < len; i++)
		c->ring[(c->head + i) % VM_CONSOLE_SIZE] = s[i];
	c->head += len;
	/* While `zvm look` replays the ring, new output waits in it for the replay: passed now,
	 * it would reach the screen before older bytes, or inside one of their lines. Live output
	 * is passed under the ring's lock, so two vCPUs' bytes reach the screen in ring order
	 * (lock order: this lock, then the host console's). */
	live = c->attached && !c->replaying;
	if (live) {
		c->sent = c->head;
		pass_to_host(vm, s, len);
	}
	k_spin_unlock(&c->lock, key);
}

void vm_console_attach(struct vm *vm)
{
	struct vm_console *c = &vm->console;
	k_spinlock_key_t key = k_spin_lock(&c->lock);

	c->sent = c->head > VM_CONSOLE_SIZE ? c->head - VM_CONSOLE_SIZE : 0; /* the oldest kept */
	c->dropped = 0;
	c->replaying = true;
	c->attached = true;
	k_spin_unlock(&c->lock, key);
	console_guest_attach();
}

/* Copies up to `size` bytes from the replay point on (*from: the first one's position) and
 * moves the point past them; 0 once nothing is left, and then output goes live (decided under
 * the lock the writers take). */
static size_t replay_take(struct vm_console *c, char *buf, size_t size, size_t *from)
{
	k_spinlock_key_t key = k_spin_lock(&c->lock);
	size_t n, at, first;

	replay_clamp_locked(c);
	n = c->head - c->sent < size ? c->head - c->sent : size;
	at = c->sent % VM_CONSOLE_SIZE;
	first = n < VM_CONSOLE_SIZE - at ? n : VM_CONSOLE_SIZE - at;
	/* Two copies, not a byte loop: the VM's UART writes wait for this lock. */
	memcpy(buf, &c->ring[at], first);
	memcpy(buf + first, c->ring, n - first);
	*from = c->sent;
	c->sent += n;
	if (!n)
		c->replaying = false;
	k_spin_unlock(&c->lock, key);
	return n;
}

/* Passes what the guest wrote since it was kept at attach as live output is passed: what the
 * host console has no room for is dropped (and reported). */
static void replay_drop_rest(struct vm_console *c)
{
	k_spinlock_key_t key = k_spin_lock(&c->lock);

	__atomic_fetch_add(&c->dropped, c->head - c->sent, __ATOMIC_RELAXED);
	c->sent = c->head;
	c->replaying = false;
	k_spin_unlock(&c->lock, key);
}

void vm_console_replay(struct vm *vm)
{
	struct vm_console *c = &vm->console;
	size_t budget = 2 * VM_CONSOLE_SIZE, kept_end, from, n;
	char buf[REPLAY_CHUNK];
	k_spinlock_key_t key = k_spin_lock(&c->lock);

	kept_end = c->head; /* the output kept at attach ends here */
	k_spin_unlock(&c->lock, key);
	while ((n = replay_take(c, buf, sizeof(buf), &from))) {
		size_t done = offer_to_host(vm, buf, n), stalled_ms = 0;

		/* The output kept at attach is shown whole: the shell's thread waits for room on
		 * the line (sleeping), as for its own output, unless the line takes nothing for
		 * REPLAY_STALL_MS. What the guest wrote since follows it as live output does. */
		while (done < n && from < kept_end && stalled_ms < REPLAY_STALL_MS) {
			size_t more;

			k_sleep_ms(1);
			more = offer_to_host(vm, buf + done, n - done);
			stalled_ms = more ? 0 : stalled_ms + 1;
			done += more;
		}
		if (done < n)
			__atomic_fetch_add(&c->dropped, n - done, __ATOMIC_RELAXED);
		/* A stalled line, or a guest that writes as fast as the replay copies: the rest is
		 * dropped, so the shell gets back to the user's keys. */
		if (stalled_ms >= REPLAY_STALL_MS || budget <= n) {
			replay_drop_rest(c);
			return;
		}
		budget -= n;
	}
}

size_t vm_console_detach(struct vm *vm)
{
	vm->console.attached = false;
	console_guest_detach();
	return __atomic_exchange_n(&vm->console.dropped, 0, __ATOMIC_RELAXED);
}
