FUZZ_TARGETS += images
fuzz_images_SRCS := tests/fuzz/fuzz_images.c zvm/images.c lib/format.c
fuzz_images_LIBS := -lfdt
