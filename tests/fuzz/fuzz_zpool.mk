FUZZ_TARGETS += zpool
fuzz_zpool_SRCS := tests/fuzz/fuzz_zpool.c zvm/mem/zpool.c zvm/mem/lzo_page.c
fuzz_zpool_LIBS := -llzo2
