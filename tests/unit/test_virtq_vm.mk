UNIT_TESTS += virtq_vm
virtq_vm_SRCS := tests/unit/test_virtq_vm.c zvm/virtio/virtq_vm.c
