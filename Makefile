# ZVM build. `make` builds build/zvm.bin (the hypervisor, at EL2) and build/rtos/rtos.bin (the
# same kernel as an EL1 RTOS guest); `make run` boots ZVM, `make run-rtos` the RTOS natively;
# `make test` runs every test.
# See README.md for the tree layout.

# A target whose recipe fails is removed: a half-written ELF must not pass for an up-to-date one.
.DELETE_ON_ERROR:

CROSS    ?= aarch64-linux-gnu-
CPU      ?= cortex-a57
SMP      ?= 4
MEM      ?= 2G
# The host's interrupt controller: 3 (GICv3) or 2 (GICv2, as a GIC-400 board).
GIC      ?= 3
QEMU     ?= qemu-system-aarch64
PYTHON   ?= /usr/bin/python3

BUILD    := build
DEPS     := $(BUILD)/deps
CC       := $(CROSS)gcc
OBJCOPY  := $(CROSS)objcopy
PICOLIBC := /usr/lib/picolibc/aarch64-linux-gnu/picolibc.specs
LIBFDT   := $(DEPS)/usr/lib/aarch64-linux-gnu/libfdt.a
# LZO1X for the compression pool (zvm/mem/lzo_page.c); unpacked by the same script as libfdt.
LIBLZO   := $(DEPS)/usr/lib/aarch64-linux-gnu/liblzo2.a
# The same with its memset/memcpy calls renamed to lib/fast_mem.c's word-wise ones.
LIBLZO_ZVM := $(BUILD)/liblzo2-zvm.a
# The compression pool's size in MiB (zvm/mem/zpool_sys.c; the board's /chosen
# zvm,zpool-size overrides it, 0 = no pool).
ZPOOL_MB ?= 0 # no pool by default until stage 2 stores cold pages in it (issue 9)

# The kernel is built twice (include/arch/el.h): ARCH_EL=2 with the VM manager as ZVM, and
# ARCH_EL=1 without it as the RTOS guest image.
KERNEL_DIRS := arch/arm64 kernel drivers lib shell
SRC_DIRS := $(KERNEL_DIRS) arch/arm64/el2 zvm zvm/vdev zvm/mem zvm/virtio block zvm/shm
SRCS     := $(foreach d,$(SRC_DIRS),$(wildcard $(d)/*.c $(d)/*.S))
OBJS     := $(patsubst %,$(BUILD)/obj/%.o,$(SRCS))
RTOS_DIRS := $(KERNEL_DIRS) arch/arm64/el1
RTOS_SRCS := $(foreach d,$(RTOS_DIRS),$(wildcard $(d)/*.c $(d)/*.S))
RTOS_OBJS := $(patsubst %,$(BUILD)/rtos/obj/%.o,$(RTOS_SRCS))

# Host code never touches FP/SIMD registers (-mgeneral-regs-only): the FP state belongs to the
# thread and is switched only in arch_switch, so a guest's FP registers survive a trap untouched.
# -flto: the exit paths call small functions of other files (spinlock, GIC, per-CPU lookups);
# inlined at link time they cost 5 to 60 instructions less per exit (bench/README.md). The link
# step gets the same flags (but the specs, given once), so code generation still obeys them.
CFLAGS   := --specs=$(PICOLIBC) -std=c11 -O2 -flto -g -Wall -Wextra -Werror -ffreestanding \
	    -fno-common -fno-stack-protector -mgeneral-regs-only -mstrict-align -mno-outline-atomics \
	    -fno-omit-frame-pointer -Iinclude -I$(DEPS)/usr/include -MMD -MP
ASFLAGS  := --specs=$(PICOLIBC) -Iinclude -D__ASSEMBLY__ -MMD -MP
LDFLAGS  := --specs=$(PICOLIBC) -nostartfiles -static-pie -Wl,-z,notext -Wl,--gc-sections -T arch/arm64/zvm.lds \
	    -Wl,--no-warn-rwx-segments

QEMU_ARGS = -M $(QEMU_MACHINE) -cpu $(CPU) -smp $(SMP) -m $(MEM) -nographic \
	    -kernel $(BUILD)/zvm.bin

.PHONY: all run run-rtos test unit-test system-test debug setup deps clean format format-check
all: $(BUILD)/zvm.bin $(BUILD)/rtos/rtos.bin

$(BUILD)/zvm.elf: $(OBJS) $(LIBFDT) $(LIBLZO_ZVM) arch/arm64/zvm.lds
	$(CC) $(filter-out --specs=%,$(CFLAGS)) $(LDFLAGS) -o $@ $(OBJS) $(LIBFDT) $(LIBLZO_ZVM)

$(BUILD)/zvm.bin: $(BUILD)/zvm.elf
	$(OBJCOPY) -O binary $< $@

$(BUILD)/rtos/rtos.elf: $(RTOS_OBJS) $(LIBFDT) arch/arm64/zvm.lds
	$(CC) $(filter-out --specs=%,$(CFLAGS)) $(LDFLAGS) -o $@ $(RTOS_OBJS) $(LIBFDT)

$(BUILD)/rtos/rtos.bin: $(BUILD)/rtos/rtos.elf
	$(OBJCOPY) -O binary $< $@

$(BUILD)/obj/%.c.o: %.c $(LIBFDT) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DARCH_EL=2 -c $< -o $@
$(BUILD)/obj/zvm/mem/zpool_sys.c.o: CFLAGS += -DZPOOL_SIZE_MB=$(ZPOOL_MB)
# Rewritten only when ZPOOL_MB changes, so that a new size rebuilds zpool_sys.c.
$(shell mkdir -p $(BUILD); [ "$$(cat $(BUILD)/zpool-mb 2>/dev/null)" = "$(ZPOOL_MB)" ] || \
	echo "$(ZPOOL_MB)" > $(BUILD)/zpool-mb)
$(BUILD)/obj/zvm/mem/zpool_sys.c.o: $(BUILD)/zpool-mb
# The cold-page scanner's low watermark in MiB when there is a pool (zvm/mem/reclaim.c; the
# board's /chosen zvm,mem-low-watermark overrides it, `zpool watermark` changes it at run time).
MEM_LOW_WM_MB ?= 16
$(BUILD)/obj/zvm/mem/reclaim.c.o: CFLAGS += -DMEM_LOW_WM_MB=$(MEM_LOW_WM_MB)
$(shell mkdir -p $(BUILD); [ "$$(cat $(BUILD)/mem-low-wm-mb 2>/dev/null)" = "$(MEM_LOW_WM_MB)" ] || \
	echo "$(MEM_LOW_WM_MB)" > $(BUILD)/mem-low-wm-mb)
$(BUILD)/obj/zvm/mem/reclaim.c.o: $(BUILD)/mem-low-wm-mb

$(BUILD)/obj/%.S.o: %.S Makefile
	@mkdir -p $(dir $@)
	$(CC) $(ASFLAGS) -DARCH_EL=2 -c $< -o $@

$(BUILD)/rtos/obj/%.c.o: %.c $(LIBFDT) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DARCH_EL=1 -c $< -o $@

$(BUILD)/rtos/obj/%.S.o: %.S Makefile
	@mkdir -p $(dir $@)
	$(CC) $(ASFLAGS) -DARCH_EL=1 -c $< -o $@

# The arm64 static archives come from Debian packages, unpacked into the build tree.
$(LIBFDT):
	scripts/fetch-deps.sh $(DEPS)
deps: $(LIBFDT)
$(LIBLZO_ZVM): $(LIBFDT) Makefile
	$(OBJCOPY) --redefine-sym memset=fast_memset --redefine-sym memcpy=fast_memcpy \
		$(LIBLZO) $@

setup:
	scripts/setup.sh

run: setup all images
	$(QEMU) $(QEMU_ARGS) $$(cat $(BOARD_ARGS))

# ---- Host disk (drivers/virtio_blk.c): a raw image on virtio-mmio, modern transport (QEMU 7.2
# defaults to the legacy one). Created once and kept, so what ZVM writes survives a reboot.
HOST_DISK      := $(BUILD)/disk/host.img
HOST_DISK_ARGS := -global virtio-mmio.force-legacy=false \
	-drive if=none,file=$(HOST_DISK),format=raw,id=hostdisk -device virtio-blk-device,drive=hostdisk
QEMU_ARGS += $(HOST_DISK_ARGS)
$(BUILD)/disk/host.img: # only the default disk is made; another HOST_DISK must exist
	@mkdir -p $(dir $@)
	truncate -s 16M $@
run debug run-demo: $(HOST_DISK)
# ---- end of host disk

# The RTOS image natively at EL1 (no virtualization): the baseline its VM runs are compared with.
RTOS_QEMU_ARGS = -M virt,gic-version=$(GIC) -cpu $(CPU) -smp $(SMP) -m 512M -nographic \
	    -kernel $(BUILD)/rtos/rtos.bin
run-rtos: $(BUILD)/rtos/rtos.bin
	$(QEMU) $(RTOS_QEMU_ARGS)

debug: setup all images
	@echo "Attach with: gdb-multiarch $(BUILD)/zvm.elf -ex 'target remote :1234'"
	$(QEMU) $(QEMU_ARGS) $$(cat $(BOARD_ARGS)) -S -s

# ---- Guest images: scripts/fetch-linux.sh, scripts/board-dtb.py, configs/guests.conf ----------
# QEMU loads every image GUESTS_CONF lists beside ZVM; the board DTB (QEMU's own, plus
# /reserved-memory nodes) says where. One board per CPU/SMP/MEM: QEMU's DTB depends on them.
LINUX_DIR    := $(BUILD)/linux
LINUX_IMAGES := $(LINUX_DIR)/Image $(LINUX_DIR)/initramfs.cpio.gz
GUESTS_CONF  := configs/guests.conf
QEMU_MACHINE := virt,virtualization=on,gic-version=$(GIC)
# Named as tests/system/board.py names it: another machine than the GICv3 one gets a suffix.
BOARD_SUFFIX := $(if $(filter 3,$(GIC)),,-virt_virtualization_on_gic-version_$(GIC))
BOARD_DIR     = $(BUILD)/board/$(CPU)-smp$(SMP)-$(MEM)$(BOARD_SUFFIX)
BOARD_ARGS    = $(BOARD_DIR)/qemu.args

.PHONY: images linux
# The .debs stay in $(LINUX_DIR)/debs: only a missing cache downloads.
$(LINUX_IMAGES) &: scripts/fetch-linux.sh guests/linux/zvm-shm
	scripts/fetch-linux.sh $(LINUX_DIR)
linux: $(LINUX_IMAGES)

# The test guests' own makefile knows when they are stale; the board is cheap to redo.
.PHONY: guests
guests:
	$(MAKE) -C guests/tests CROSS=$(CROSS)
$(BUILD)/guests/tests.bin: guests

$(BOARD_DIR)/board.dtb $(BOARD_ARGS) &: scripts/board-dtb.py $(GUESTS_CONF) $(LINUX_IMAGES) \
		$(BUILD)/guests/tests.bin $(BUILD)/rtos/rtos.bin
	$(PYTHON) scripts/board-dtb.py --qemu $(QEMU) --machine $(QEMU_MACHINE) --cpu $(CPU) \
		--smp $(SMP) --mem $(MEM) --config $(GUESTS_CONF) --out $(BOARD_DIR)
images: $(BOARD_ARGS)

# make run-demo: the same board plus boot-time VMs in /chosen (docs/boot-vms.md), started before
# the prompt. Its own board directory, so `make run` stays without them.
DEMO_VMS  := configs/demo.vms.dtsi
DEMO_DIR   = $(BUILD)/board/demo-$(CPU)-smp$(SMP)-$(MEM)$(BOARD_SUFFIX)
$(DEMO_DIR)/board.dtb $(DEMO_DIR)/qemu.args &: scripts/board-dtb.py $(GUESTS_CONF) $(DEMO_VMS) \
		$(LINUX_IMAGES) $(BUILD)/guests/tests.bin $(BUILD)/rtos/rtos.bin
	$(PYTHON) scripts/board-dtb.py --qemu $(QEMU) --machine $(QEMU_MACHINE) --cpu $(CPU) \
		--smp $(SMP) --mem $(MEM) --config $(GUESTS_CONF) --vms $(DEMO_VMS) --out $(DEMO_DIR)
.PHONY: run-demo
run-demo: setup all $(DEMO_DIR)/qemu.args
	$(QEMU) $(QEMU_ARGS) $$(cat $(DEMO_DIR)/qemu.args)
# make run-uboot: the same board booted as on hardware, through U-Boot (docs/uboot.md). QEMU
# starts Debian's qemu_arm64 U-Boot at EL2; its distro boot finds boot.scr on the virtio disk.
UBOOT_BIN := /usr/lib/u-boot/qemu_arm64/u-boot.bin
UBOOT_DIR  = $(BUILD)/uboot/$(CPU)-smp$(SMP)-$(MEM)$(BOARD_SUFFIX)
$(UBOOT_DIR)/boot.img: scripts/uboot-disk.py $(BOARD_ARGS) $(BUILD)/zvm.bin
	$(PYTHON) scripts/uboot-disk.py --board $(BOARD_DIR) --zvm $(BUILD)/zvm.bin --out $(UBOOT_DIR)
.PHONY: run-uboot uboot-disk uboot-guest-disk
# A disk for U-Boot as a guest (type uboot): Linux and a boot.scr; docs/uboot.md. Use it with
# `make run HOST_DISK=build/uboot-guest/boot.img` and `zvm new -t uboot --disk vda:ro`.
UBOOT_GUEST_DISK := $(BUILD)/uboot-guest/boot.img
$(UBOOT_GUEST_DISK): scripts/uboot-disk.py $(LINUX_DIR)/Image $(LINUX_DIR)/initramfs.cpio.gz
	$(PYTHON) scripts/uboot-disk.py --linux $(LINUX_DIR)/Image \
		--initrd $(LINUX_DIR)/initramfs.cpio.gz --out $(dir $@)
uboot-guest-disk: $(UBOOT_GUEST_DISK)
uboot-disk: $(UBOOT_DIR)/boot.img
run-uboot: setup all $(UBOOT_DIR)/boot.img
	$(QEMU) -M $(QEMU_MACHINE) -cpu $(CPU) -smp $(SMP) -m $(MEM) -nographic -bios $(UBOOT_BIN) \
		-drive if=none,file=$(UBOOT_DIR)/boot.img,format=raw,id=d0 -device virtio-blk-device,drive=d0
system-test: images
# Written by board-dtb.py: the image files the config names (test guests too).
-include $(BOARD_DIR)/board.d
-include $(DEMO_DIR)/board.d
# ---- end of guest images ---------------------------------------------------------------------

include tests/unit/unit.mk
include tests/fuzz/fuzz.mk
# test_loader checks the loader against Debian's kernel: never let it skip for lack of one.
unit-test: $(LINUX_DIR)/Image

system-test: all
	$(PYTHON) -m pytest -v tests/system

# The long runs (tests/system/test_soak.py with ZVM_SOAK=1: 1000 test-guest and 50 Linux VM
# life cycles, a 30-minute pause/run/reset storm; about an hour). `make test` runs them short.
.PHONY: soak
soak: setup all images
	ZVM_SOAK=1 $(PYTHON) -m pytest -v -s tests/system/test_soak.py

test: setup
	$(MAKE) format-check
	$(MAKE) all
	$(MAKE) unit-test
	$(MAKE) fuzz-replay
	$(MAKE) system-test

FORMAT_FILES = $(shell git ls-files --cached --others --exclude-standard '*.c' '*.h')
format:
	clang-format -i $(FORMAT_FILES)
format-check:
	@clang-format --dry-run --Werror $(FORMAT_FILES) && echo "clang-format: clean"

clean:
	rm -rf $(BUILD)

-include $(OBJS:.o=.d) $(RTOS_OBJS:.o=.d)

# ---- make bench: virtualization costs, native / ZVM / Xen 4.17 (bench/README.md) -------------
# Not part of `make test` (tests/system/test_bench.py checks the guest builds and runs). Xen is
# unpacked into build/bench/xen by `scripts/setup.sh --bench`, never installed system-wide.
.PHONY: bench bench-guest
bench-guest:
	$(MAKE) -C bench CROSS=$(CROSS)
bench:
	scripts/setup.sh --bench
	$(MAKE) all guests linux bench-guest
	$(PYTHON) bench/run.py
# ---- end of make bench -------------------------------------------------------------------------
