/* Firmware boot mode (a guest type with `NAME boot firmware` in configs/guests.conf): the two
 * flash banks QEMU virt gives firmware at IPA 0, so firmware built for `qemu -bios` (Debian's
 * U-Boot for qemu_arm64) runs unmodified.
 *
 * Bank 0 is the firmware image itself, mapped read-only from the region the board reserved
 * for it: every VM of the type shares those pages, as boards share a ROM, and nothing is
 * copied. Bank 1 is an erased, write-protected flash: reads return all ones, writes are
 * ignored, which U-Boot's environment code takes for "no saved environment" (`saveenv` does
 * not persist). There is no CFI command set: the guest DT lists no flash, so nothing probes
 * for one; a write to bank 0 gets an abort. */
#ifndef ZVM_VDEV_FW_FLASH_H
#define ZVM_VDEV_FW_FLASH_H

#include <stdint.h>

struct vm;

#define FW_FLASH_BANK_SIZE (64ULL << 20) /* QEMU virt: two 64 MiB banks */
#define FW_FLASH0_BASE	   0x00000000ULL
#define FW_FLASH1_BASE	   (FW_FLASH0_BASE + FW_FLASH_BANK_SIZE)

/* Both banks for a firmware-mode VM; nothing (returns 0) for any other. */
int fw_flash_create(struct vm *vm);

#endif
