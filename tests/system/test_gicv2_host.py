"""ZVM on a GICv2 host (QEMU virt, gic-version=2: GICD + memory-mapped GICC; drivers/gicv2.c):
boot, every CPU online, the IPIs and timers the kernel services need (the selftests), host
interrupts counted per CPU. Guests on this host (the vGICv2): test_gicv2_guests.py.

The whole host-only suites run on a GICv2 host too with `ZVM_GIC=2 pytest
tests/system/test_kernel.py tests/system/test_shell.py`; this file keeps the essentials in
every `make test`."""
import re

import pytest

from qemu import Zvm
from test_kernel import run, selftest


@pytest.fixture(scope="module")
def zvm2():
    vm = Zvm(gic=2)
    vm.boot_log = vm.boot(60)
    yield vm
    vm.close()


def test_boots_on_the_gicv2_from_the_device_tree(zvm2):
    log = zvm2.boot_log
    assert re.search(r"GICv2: distributor at 0x8000000, CPU interface at 0x8010000, \d+ SPIs",
                     log), log
    assert not re.search(r"^\[INF\] GICv3:", log, re.M), log  # the v3 driver never ran
    # GICH from the node's third reg entry, probed (QEMU's has 4 list registers).
    assert "vgic: GICv2 virtual interface at 0x8030000, 4 list registers" in log, log
    assert "ZVM: 4 CPUs online" in log, log
    out = run(zvm2, "kernel cpus")
    assert len(re.findall(r"^\d+\s+0x[0-9a-f]+\s+online$", out, re.M)) == 4, out


@pytest.mark.parametrize("args", ["smp", "sleep 200", "slice", "prio", "sync", "heap"])
def test_selftests_pass(zvm2, args):
    """smp needs the SGIs (reschedule, call-function) between every pair of CPUs through
    GICD_SGIR and their EOIs; sleep and slice the per-CPU timer PPI; prio a reschedule IPI."""
    selftest(zvm2, args)
