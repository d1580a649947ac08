UNIT_TESTS += stage2_pt
stage2_pt_SRCS := tests/unit/test_stage2_pt.c zvm/stage2_pt.c
