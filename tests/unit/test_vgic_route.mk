UNIT_TESTS += vgic_route
# The vGIC's sources as test_vgic.mk lists them (one list; `=` so the order the .mk files are
# included in does not matter).
vgic_route_SRCS = tests/unit/test_vgic_route.c $(filter-out tests/unit/test_vgic.c,$(vgic_SRCS))
