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
#define REPLAY_WAIT_MS	 3000 /* the most the replay sleeps for room in all: then Ctrl+X */

/* Offers output to the host console; returns how much it took. The output never waits for
 * room (a drop report printed from the shell's thread, during a replay, may). */
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

static void count_dropped(struct vm_console *c, size_t n)
{
	__atomic_fetch_add(&c->dropped, n, __ATOMIC_RELAXED);
}

static void pass_to_host(struct vm *vm, const char *s, size_t len)
{
	size_t n = offer_to_host(vm, s, len);

	if (n < len)
		count_dropped(&vm->console, len - n);
}

/* c->lock held: the oldest byte still to replay, keeping at most the ring's worth (what the
 * guest overwrote meanwhile is counted as dropped). */
static void replay_clamp_locked(struct vm_console *c)
{
	if (c->head - c->sent > VM_CONSOLE_SIZE) {
		count_dropped(c, c->head - c->sent - VM_CONSOLE_SIZE);
		c->sent = c->head - VM_CONSOLE_SIZE;
	}
}

void vm_console_write(struct vm *vm, const char *s, size_t len)
{
	struct vm_console *c = &vm->console;
	k_spinlock_key_t key = k_spin_lock(&c->lock);

	for (size_t i = 0; i < len; i++)
		c->ring[(c->head + i) % VM_CONSOLE_SIZE] = s[i];
	c->head += len;
	/* While `zvm look` replays the ring, new output waits in it for the replay: passed now,
	 * it would reach the screen before older bytes, or inside one of their lines. Live output
	 * is passed under the ring's lock, so two vCPUs' bytes reach the screen in ring order
	 * (lock order: this lock, then the host console's). */
	if (c->attached && !c->replaying)
		pass_to_host(vm, s, len);
	k_spin_unlock(&c->lock, key);
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

/* Ends the replay early: everything not replayed yet is counted as dropped (reported with
 * the next live output or at detach), and output goes live. */
static void replay_drop_rest(struct vm_console *c)
{
	k_spinlock_key_t key = k_spin_lock(&c->lock);

	count_dropped(c, c->head - c->sent);
	c->sent = c->head;
	c->replaying = false;
	k_spin_unlock(&c->lock, key);
}

/* The shell's thread: everything from `sent` on, to the host console, until it has caught up
 * with what the guest writes meanwhile (or gives up: the rest is counted as dropped). */
static void replay(struct vm *vm, size_t kept_end)
{
	struct vm_console *c = &vm->console;
	size_t budget = 2 * VM_CONSOLE_SIZE, waited_ms = 0, from, n;
	char buf[REPLAY_CHUNK];

	while ((n = replay_take(c, buf, sizeof(buf), &from))) {
		size_t done = offer_to_host(vm, buf, n);

		/* The output kept at attach is shown whole: the shell's thread sleeps for room on
		 * the line, as for its own output, up to REPLAY_WAIT_MS in all (a slow line: at
		 * 300 baud 16 KiB take 9 minutes). A chunk that began in it is waited for whole.
		 * What the guest wrote since attaching follows as live output does. */
		while (done < n && from < kept_end && waited_ms < REPLAY_WAIT_MS) {
			k_sleep_ms(1);
			waited_ms++;
			done += offer_to_host(vm, buf + done, n - done);
		}
		if (done < n)
			count_dropped(c, n - done);
		/* A slow line, or a guest that writes as fast as the replay copies: the rest is
		 * dropped, so the shell gets back to the user's keys. */
		if (waited_ms >= REPLAY_WAIT_MS || budget <= n) {
			replay_drop_rest(c);
			return;
		}
		budget -= n;
	}
}

void vm_console_attach(struct vm *vm)
{
	struct vm_console *c = &vm->console;
	k_spinlock_key_t key = k_spin_lock(&c->lock);
	size_t kept_end = c->head; /* the output kept at attach ends here */

	c->sent = c->head > VM_CONSOLE_SIZE ? c->head - VM_CONSOLE_SIZE : 0; /* the oldest kept */
	c->dropped = 0;
	c->replaying = true;
	c->attached = true;
	k_spin_unlock(&c->lock, key);
	console_guest_attach();
	replay(vm, kept_end);
}

size_t vm_console_detach(struct vm *vm)
{
	struct vm_console *c = &vm->console;
	k_spinlock_key_t key = k_spin_lock(&c->lock);
	size_t dropped;

	/* Under the lock a live pass runs under: none is under way after it, so none can open a
	 * guest line (holding the host's messages) or count a drop after the count is taken. */
	c->attached = false;
	dropped = __atomic_exchange_n(&c->dropped, 0, __ATOMIC_RELAXED);
	k_spin_unlock(&c->lock, key);
	console_guest_detach();
	return dropped;
}
