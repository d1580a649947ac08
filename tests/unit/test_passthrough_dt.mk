UNIT_TESTS += passthrough_dt
passthrough_dt_SRCS := tests/unit/test_passthrough_dt.c tests/unit/dtb_util.c zvm/passthrough_dt.c
passthrough_dt_LIBS := -lfdt

$(BUILD)/unit/passthrough_dt: $(BUILD)/unit/qemu-virt.dtb
