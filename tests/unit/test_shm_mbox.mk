UNIT_TESTS += shm_mbox
shm_mbox_SRCS := tests/unit/test_shm_mbox.c lib/shm_mbox.c
