UNIT_TESTS += board
board_SRCS := tests/unit/test_board.c tests/unit/dtb_util.c kernel/board.c lib/format.c
board_LIBS := -lfdt

# The test reads QEMU's own DTBs from beside its binary; QEMU exits right after dumping.
BOARD_DUMPDTB = $(QEMU) -M virt,virtualization=on,gic-version=3 -cpu cortex-a57 -nographic

$(BUILD)/unit/qemu-virt.dtb:
	@mkdir -p $(dir $@)
	$(BOARD_DUMPDTB) -smp 4 -m 2G -machine dumpdtb=$@

$(BUILD)/unit/qemu-virt-smp2.dtb:
	@mkdir -p $(dir $@)
	$(BOARD_DUMPDTB) -smp 2 -m 512M -machine dumpdtb=$@

# The same machine with a GICv2 (arm,cortex-a15-gic: GICD, GICC, GICH, GICV).
$(BUILD)/unit/qemu-virt-gicv2.dtb:
	@mkdir -p $(dir $@)
	$(QEMU) -M virt,virtualization=on,gic-version=2 -cpu cortex-a57 -nographic -smp 4 -m 2G \
		-machine dumpdtb=$@

$(BUILD)/unit/board: $(BUILD)/unit/qemu-virt.dtb $(BUILD)/unit/qemu-virt-smp2.dtb \
	$(BUILD)/unit/qemu-virt-gicv2.dtb
