UNIT_TESTS += vgic_logic
vgic_logic_SRCS := tests/unit/test_vgic_logic.c zvm/vdev/vgic_logic.c
