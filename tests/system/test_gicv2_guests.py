"""Guests on a GICv2 host (QEMU virt, gic-version=2): ZVM offers them a virtual GICv2, an
emulated distributor (zvm/vdev/vgic_v2_mmio.c) and the host's GICV mapped as their GICC, over the
same interrupt logic as the vGICv3, with the list registers in GICH. The guest DT says
"arm,cortex-a15-gic"; the unmodified Debian kernel must take its timer PPI on every vCPU and its
IPIs through GICD_SGIR."""
import re

import pytest

from qemu import LINUX_SHELL as SHELL
from qemu import Guest, Zvm, create_vm
from qemu import linux_shell as shell


@pytest.fixture(scope="module")
def zvm2():
    vm = Zvm(gic=2)
    vm.boot_log = vm.boot(60)
    yield vm
    vm.close()


def test_the_vgicv2_is_set_up(zvm2):
    log = zvm2.boot_log
    assert "vgic: GICv2 virtual interface at 0x8030000, 4 list registers" in log, log
    assert re.search(r"vgic: 4 list registers, 5 priority bits, maintenance INTID 25", log), log


@pytest.mark.parametrize("vcpus", [1, 2])
def test_linux_runs_on_the_vgicv2(zvm2, vcpus):
    vm = create_vm(zvm2, f"-t linux -c {vcpus} -m 512")
    zvm2.run(f"zvm run -n {vm}")
    with Guest(zvm2, vm) as g:
        g.expect("ZVM-LINUX-INIT-OK", timeout=120)
        g.expect(re.escape(SHELL))
        assert int(shell(g, "grep -c ^processor /proc/cpuinfo").split()[0]) == vcpus
        # Linux's GICv2 driver names its chip GIC-0 (the GICv3 one says GICv3).
        irqs = shell(g, "cat /proc/interrupts")
        timer = re.search(r"^\s*\d+:\s+([\d\s]+?)\s+GIC-0\s+27 Level\s+arch_timer", irqs, re.M)
        assert timer, irqs
        counts = [int(c) for c in timer.group(1).split()]
        assert len(counts) == vcpus and all(c > 0 for c in counts), irqs
        if vcpus > 1:  # SGIs through the emulated GICD_SGIR, taken through the GICV
            calls = re.search(r"^IPI1:\s+(\d+)\s+(\d+)", irqs, re.M)
            assert calls and int(calls.group(1)) > 0 and int(calls.group(2)) > 0, irqs
        out = shell(g, "time sleep 1")
        assert re.search(r"real\s+0m 1\.\d\ds", out), out
        g.send("poweroff -f\r")
        g.expect(rf"vm{vm} \(\S+\) powered off", timeout=60)
    assert "deleted" in zvm2.run(f"zvm delete -n {vm}")
