UNIT_TESTS += vgic_v2
vgic_v2_SRCS := tests/unit/test_vgic_v2.c zvm/vdev/vgic_v2_logic.c
