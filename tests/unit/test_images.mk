UNIT_TESTS += images
images_SRCS := tests/unit/test_images.c tests/unit/dtb_util.c zvm/images.c lib/format.c
images_LIBS := -lfdt

# The test reads a board DTB that scripts/board-dtb.py built from QEMU's own, placing sparse
# files of known sizes (3 MiB + 5, 1000 and 4096 bytes).
IMAGES_DTB_DIR := $(BUILD)/unit/images-dtb

$(IMAGES_DTB_DIR)/board.dtb: scripts/board-dtb.py tests/unit/images.conf
	@mkdir -p $(IMAGES_DTB_DIR)
	truncate -s 3145733 $(IMAGES_DTB_DIR)/kernel.bin
	truncate -s 1000 $(IMAGES_DTB_DIR)/initrd.bin
	truncate -s 4096 $(IMAGES_DTB_DIR)/bare.bin
	$(PYTHON) scripts/board-dtb.py --qemu $(QEMU) --cpu cortex-a57 --smp 4 --mem 2G \
		--config tests/unit/images.conf --out $(IMAGES_DTB_DIR)

$(BUILD)/unit/images: $(IMAGES_DTB_DIR)/board.dtb
