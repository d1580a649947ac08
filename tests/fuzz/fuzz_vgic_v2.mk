FUZZ_TARGETS += vgic_v2
# fuzz_vgic.c built for the GICv2 front end, over the sources its unit test builds
# (tests/unit/test_vgic_v2_dist.mk).
fuzz_vgic_v2_SRCS := tests/fuzz/fuzz_vgic_v2.c \
	$(filter-out tests/unit/test_vgic_v2_dist.c,$(vgic_v2_dist_SRCS))
