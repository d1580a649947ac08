UNIT_TESTS += vgic_lr
# The vGIC's sources as test_vgic.mk lists them (one list; `=` so the order the .mk files are
# included in does not matter).
vgic_lr_SRCS = tests/unit/test_vgic_lr.c $(filter-out tests/unit/test_vgic.c,$(vgic_SRCS))
