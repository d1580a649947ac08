/* The devices every VM gets, beyond the vGIC and the console UART (which stay fields of struct
 * vm: the vGIC is on every entry, the UART on the console path). A new device is one more line
 * here; nothing in vm.c or vm_fdt.c changes. */
#include <zvm/vdev/pvpanic.h>
#include <zvm/vdev/vdev.h>
#include <zvm/vdev/vpl061.h>
#include <zvm/virtio/virtio_console.h>
#include <zvm/virtio/virtio_rng.h>

static int (*const board[])(struct vm *vm) = {
    vpl061_create,
    pvpanic_create,
    virtio_rng_create,
    virtio_console_create,
};

int vdev_create_board(struct vm *vm)
{
	for (unsigned i = 0; i < sizeof(board) / sizeof(board[0]); i++) {
		int err = board[i](vm);

		if (err)
			return err;
	}
	return 0;
}
