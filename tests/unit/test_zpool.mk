UNIT_TESTS += zpool
zpool_SRCS := tests/unit/test_zpool.c zvm/mem/zpool.c zvm/mem/lzo_page.c
zpool_LIBS := -llzo2
