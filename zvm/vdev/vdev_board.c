/* The devices every VM gets, beyond the vGIC and the console UART (which stay fields of struct
 * vm: the vGIC is on every entry, the UART on the console path), and those it gets on request
 * (`zvm new --dev NAME`). A new device is one more line here; nothing in vm.c or vm_fdt.c
 * changes.
 *
 * The entropy device is optional: it has no host entropy source yet (ZVM has no driver for
 * QEMU's virtio-rng, and the CPU may lack RNDR), so it would only leave a guest's hwrng
 * waiting; its transport tests and Linux's probe ask for it. */
#include <zvm/vdev/fw_flash.h>
#include <zvm/vdev/pvpanic.h>
#include <zvm/vdev/vdev.h>
#include <zvm/vdev/vpl061.h>
#include <zvm/virtio/virtio_console.h>
#include <zvm/virtio/virtio_net.h>
#include <zvm/virtio/virtio_rng.h>

static int (*const board[])(struct vm *vm) = {
    vpl061_create, pvpanic_create, virtio_console_create,
    fw_flash_create, /* firmware-mode guest types only */
};

const char *const vdev_optional_names[VDEV_NR_OPTIONAL] = {"virtio-rng", "virtio-net"};
static int (*const optional_create[VDEV_NR_OPTIONAL])(struct vm *vm) = {virtio_rng_create,
									virtio_net_create};

int vdev_create_board(struct vm *vm, uint32_t optional)
{
	for (unsigned i = 0; i < sizeof(board) / sizeof(board[0]); i++) {
		int err = board[i](vm);

		if (err)
			return err;
	}
	for (unsigned i = 0; i < VDEV_NR_OPTIONAL; i++) {
		int err = optional & (1u << i) ? optional_create[i](vm) : 0;

		if (err)
			return err;
	}
	return 0;
}
