"""Boot: the host kernel reaches its shell on every supported CPU model, and refuses EL1."""
import re

import pytest

from qemu import PROMPT, Zvm
from test_guests_zvm import run_test_guest


def test_boot_reaches_prompt_with_four_cpus(zvm):
    out = zvm.run("kernel cpus")
    online = re.findall(r"^(\d+)\s+0x([0-9a-f]+)\s+online", out, re.M)
    assert [int(cpu) for cpu, _ in online] == [0, 1, 2, 3]
    assert sorted(int(mpidr, 16) for _, mpidr in online) == [0, 1, 2, 3]


@pytest.mark.parametrize("cpu", ["cortex-a53", "max,pauth-impdef=on"])
def test_boot_on_other_cpu_models(fresh_zvm, cpu):
    vm = fresh_zvm(cpu=cpu)
    vm.boot(timeout=60)
    out = vm.run("kernel cpus")
    assert len(re.findall(r"online", out)) == 4


def test_boot_with_two_cpus_and_512m(fresh_zvm):
    vm = fresh_zvm(smp=2, mem="512M")
    vm.boot()
    out = vm.run("kernel cpus")
    assert len(re.findall(r"online", out)) == 2
    mem = vm.run("kernel mem")
    total_kib = int(re.search(r"^pages\s+(\d+) KiB", mem, re.M).group(1))
    assert 400 * 1024 < total_kib <= 512 * 1024


def test_entered_at_el1_refuses_cleanly(fresh_zvm):
    vm = fresh_zvm(virtualization=False)
    vm.expect(r"must be entered at EL2 but was entered at EL1", timeout=30)


def test_board_without_gic_maintenance_interrupt_still_runs_guests(fresh_zvm):
    """A DTB dumped without virtualization has no GIC maintenance interrupt: ZVM says so and
    refills the list registers at every entry instead, so a guest's timer (a level interrupt
    it ends while the line is high) still comes back."""
    vm = fresh_zvm(board_machine="virt,gic-version=3")
    out = vm.boot()
    assert "vgic: no maintenance interrupt (the GIC node gives none)" in out, out
    guest, text, passed, total = run_test_guest(vm, "test-timer", 1, "-p 3")
    assert passed == total and "FAIL" not in text, text
