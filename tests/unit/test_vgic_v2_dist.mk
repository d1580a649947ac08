UNIT_TESTS += vgic_v2_dist
vgic_v2_dist_SRCS := tests/unit/test_vgic_v2_dist.c tests/unit/vgic_fakes.c tests/unit/stub_console.c \
	     zvm/vdev/vgic.c zvm/vdev/vgic_mmio.c zvm/vdev/vgic_mmio_irq.c zvm/vdev/vgic_v2_mmio.c \
	     zvm/vdev/vgic_v2_logic.c zvm/vdev/vgic_logic.c drivers/gicv3_encode.c
