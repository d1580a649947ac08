UNIT_TESTS += boot_vms
boot_vms_SRCS := tests/unit/test_boot_vms.c zvm/boot_vms_parse.c zvm/vm_opts.c lib/format.c zvm/virtio/blk_disk.c zvm/shm/shm.c
boot_vms_LIBS := -lfdt
