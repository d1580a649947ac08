UNIT_TESTS += gicv3
gicv3_SRCS := tests/unit/test_gicv3.c drivers/gicv3_encode.c
