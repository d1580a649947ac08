UNIT_TESTS += shm
shm_SRCS := tests/unit/test_shm.c zvm/shm/shm.c
