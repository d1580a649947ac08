UNIT_TESTS += gicv2
gicv2_SRCS := tests/unit/test_gicv2.c drivers/gicv2_encode.c
