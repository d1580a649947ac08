/* Each VM's console: the last VM_CONSOLE_SIZE bytes its UART wrote, shown on `zvm look`, and
 * passed to the host console while a user is attached. The host console takes guest output
 * only as far as it has room (the guest never waits for the physical UART); what it cannot
 * take is dropped from the live view (not from the ring) and reported once room returns. */
#include <drivers/console.h>
#include <kernel/printk.h>
#include <kernel/time.h>
#include <string.h>
#include <zvm/vm.h>

/* Room for the report line itself besides the output that follows it. */
#define DROP_REPORT_ROOM 64

static void pass_to_host(struct vm *vm, const char *s, size_t len)
{
	struct vm_console *c = &vm->console;
	size_t lost = __atomic_load_n(&c->dropped, __ATOMIC_RELAXED);
	size_t n;

	/* Reported when the line has caught up, or once a second while a guest keeps the ring
	 * at its limit (then the report goes into the host's share). */
	if (lost && (console_guest_room() >= len + DROP_REPORT_ROOM ||
		     k_uptime_ms() - c->reported_ms >= 1000)) {
		lost = __atomic_exchange_n(&c->dropped, 0, __ATOMIC_RELAXED);
		c->reported_ms = k_uptime_ms();
		if (lost)
			printk("\n[vm%u: %zu bytes dropped]\n", vm->id, lost);
	}
	n = console_write_guest(s, len);
	if (n < len)
		__atomic_fetch_add(&c->dropped, len - n, __ATOMIC_RELAXED);
}

void vm_console_write(struct vm *vm, const char *s, size_t len)
{
	struct vm_console *c = &vm->console;
	k_spinlock_key_t key = k_spin_lock(&c->lock);

	for (size_t i = 0; i < len; i++)
		c->ring[(c->head + i) % VM_CONSOLE_SIZE] = s[i];
	c->head += len;
	k_spin_unlock(&c->lock, key);
	if (c->attached)
		pass_to_host(vm, s, len);
}

/* Attaches: copies the buffered output, oldest first, and from the same instant on passes new
 * output straight through, so no byte is lost between the two. Returns the copied length. */
size_t vm_console_attach(struct vm *vm, char *buf, size_t size)
{
	struct vm_console *c = &vm->console;
	k_spinlock_key_t key = k_spin_lock(&c->lock);
	size_t n = c->head < VM_CONSOLE_SIZE ? c->head : VM_CONSOLE_SIZE;
	size_t start = c->head - n;

	if (n > size)
		n = size, start = c->head - size;
	/* Two copies, not a byte loop: the VM's UART writes wait for this lock. */
	size_t at = start % VM_CONSOLE_SIZE,
	       first = n < VM_CONSOLE_SIZE - at ? n : VM_CONSOLE_SIZE - at;

	memcpy(buf, &c->ring[at], first);
	memcpy(buf + first, c->ring, n - first);
	c->attached = true;
	c->dropped = 0;
	k_spin_unlock(&c->lock, key);
	console_guest_attach();
	return n;
}

size_t vm_console_detach(struct vm *vm)
{
	vm->console.attached = false;
	console_guest_detach();
	return __atomic_exchange_n(&vm->console.dropped, 0, __ATOMIC_RELAXED);
}
