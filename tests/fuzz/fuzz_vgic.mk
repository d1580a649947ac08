FUZZ_TARGETS += vgic
# The vGIC's sources as the unit test builds them (tests/unit/test_vgic.mk, included first):
# one list, so a new vGIC file cannot be left out of one of the two.
fuzz_vgic_SRCS := tests/fuzz/fuzz_vgic.c $(filter-out tests/unit/test_vgic.c,$(vgic_SRCS))
