FUZZ_TARGETS += boot_vms
fuzz_boot_vms_SRCS := tests/fuzz/fuzz_boot_vms.c zvm/boot_vms_parse.c zvm/vm_opts.c lib/format.c zvm/virtio/blk_disk.c zvm/shm/shm.c
fuzz_boot_vms_LIBS := -lfdt
