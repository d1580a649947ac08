FUZZ_TARGETS += vgic
fuzz_vgic_SRCS := tests/fuzz/fuzz_vgic.c tests/unit/vgic_fakes.c tests/unit/stub_console.c \
		  zvm/vdev/vgic.c zvm/vdev/vgic_mmio.c zvm/vdev/vgic_logic.c drivers/gicv3_encode.c
