# ZVM build. `make` builds build/zvm.bin; `make run` boots it; `make test` runs every test.
# See README.md for the tree layout.

CROSS    ?= aarch64-linux-gnu-
CPU      ?= cortex-a57
SMP      ?= 4
MEM      ?= 2G
QEMU     ?= qemu-system-aarch64
PYTHON   ?= /usr/bin/python3

BUILD    := build
DEPS     := $(BUILD)/deps
CC       := $(CROSS)gcc
OBJCOPY  := $(CROSS)objcopy
PICOLIBC := /usr/lib/picolibc/aarch64-linux-gnu/picolibc.specs
LIBFDT   := $(DEPS)/usr/lib/aarch64-linux-gnu/libfdt.a

SRC_DIRS := arch/arm64 kernel drivers lib shell
SRCS     := $(foreach d,$(SRC_DIRS),$(wildcard $(d)/*.c $(d)/*.S))
OBJS     := $(patsubst %,$(BUILD)/obj/%.o,$(SRCS))

# Host code never touches FP/SIMD registers (-mgeneral-regs-only): the FP state belongs to the
# thread and is switched only in arch_switch, so a guest's FP registers survive a trap untouched.
CFLAGS   := --specs=$(PICOLIBC) -std=c11 -O2 -g -Wall -Wextra -Werror -ffreestanding \
	    -fno-common -fno-stack-protector -mgeneral-regs-only -mstrict-align \
	    -fno-omit-frame-pointer -Iinclude -I$(DEPS)/usr/include -MMD -MP
ASFLAGS  := --specs=$(PICOLIBC) -Iinclude -D__ASSEMBLY__ -MMD -MP
LDFLAGS  := --specs=$(PICOLIBC) -nostartfiles -static -Wl,--gc-sections -T arch/arm64/zvm.lds \
	    -Wl,--no-warn-rwx-segments

QEMU_ARGS = -M virt,virtualization=on,gic-version=3 -cpu $(CPU) -smp $(SMP) -m $(MEM) -nographic \
	    -kernel $(BUILD)/zvm.bin

.PHONY: all run test unit-test system-test debug setup deps clean format format-check
all: $(BUILD)/zvm.bin

$(BUILD)/zvm.elf: $(OBJS) $(LIBFDT) arch/arm64/zvm.lds
	$(CC) $(LDFLAGS) -o $@ $(OBJS) $(LIBFDT)

$(BUILD)/zvm.bin: $(BUILD)/zvm.elf
	$(OBJCOPY) -O binary $< $@

$(BUILD)/obj/%.c.o: %.c $(LIBFDT)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(ASFLAGS) -c $< -o $@

# The arm64 static archives come from Debian packages, unpacked into the build tree.
$(LIBFDT):
	scripts/fetch-deps.sh $(DEPS)
deps: $(LIBFDT)

setup:
	scripts/setup.sh

run: setup all
	$(QEMU) $(QEMU_ARGS)

debug: setup all
	@echo "Attach with: gdb-multiarch $(BUILD)/zvm.elf -ex 'target remote :1234'"
	$(QEMU) $(QEMU_ARGS) -S -s

include tests/unit/unit.mk

system-test: all
	$(PYTHON) -m pytest -v tests/system

test: setup
	$(MAKE) all
	$(MAKE) unit-test
	$(MAKE) system-test

FORMAT_FILES = $(shell git ls-files '*.c' '*.h')
format:
	clang-format -i $(FORMAT_FILES)
format-check:
	clang-format --dry-run --Werror $(FORMAT_FILES)

clean:
	rm -rf $(BUILD)

-include $(OBJS:.o=.d)
