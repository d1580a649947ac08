UNIT_TESTS += lzo_page
lzo_page_SRCS := tests/unit/test_lzo_page.c zvm/mem/lzo_page.c lib/fast_mem.c
lzo_page_LIBS := -llzo2
