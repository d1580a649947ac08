/* Each VM's console: the last VM_CONSOLE_SIZE bytes its UART wrote, shown on `zvm look`, and
 * passed straight to the host console while a user is attached. */
#include <drivers/console.h>
#include <zvm/vm.h>

void vm_console_write(struct vm *vm, const char *s, size_t len)
{
	struct vm_console *c = &vm->console;
	k_spinlock_key_t key = k_spin_lock(&c->lock);

	for (size_t i = 0; i < len; i++)
		c->ring[(c->head + i) % VM_CONSOLE_SIZE] = s[i];
	c->head += len;
	k_spin_unlock(&c->lock, key);
	if (c->attached)
		console_write(s, len);
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
	for (size_t i = 0; i < n; i++)
		buf[i] = c->ring[(start + i) % VM_CONSOLE_SIZE];
	c->attached = true;
	k_spin_unlock(&c->lock, key);
	return n;
}

void vm_console_detach(struct vm *vm)
{
	vm->console.attached = false;
}
