UNIT_TESTS += vgic
vgic_SRCS := tests/unit/test_vgic.c tests/unit/vgic_fakes.c tests/unit/stub_console.c \
	     zvm/vdev/vgic.c zvm/vdev/vgic_mmio.c zvm/vdev/vgic_mmio_irq.c zvm/vdev/vgic_v2_mmio.c zvm/vdev/vgic_v2_logic.c zvm/vdev/vgic_logic.c drivers/gicv3_encode.c
