"""Dedicated CPUs (docs/scheduling.md): a vCPU alone on its pinned CPU runs with WFI and WFE
not trapped; a second vCPU on the CPU ends that (and over-commits it: WFE trapped too); the
guest works either way."""
import re
import time

import pytest

from qemu import create_vm
from test_guests_zvm import run_test_guest

ROW = re.compile(r"^(\d+)\s+(on|off)\s.*\s(\d+)\s+\d+\s+\d+\s+\d+\s+[0-9a-f]+\s+(\S+)$", re.M)


def uses(zvm, vm):
    """{vcpu: (wfi exits, cpu use)} from `zvm stat`."""
    out = zvm.run(f"zvm stat {vm}")
    rows = {int(m[1]): (int(m[3]), m[4]) for m in ROW.finditer(out)}
    assert rows, out
    return rows


def test_dedication_follows_placement(zvm):
    a = create_vm(zvm, "-t hello -m 32 -c 2 -p 2,3")
    assert uses(zvm, a) == {0: (0, "dedicated"), 1: (0, "dedicated")}
    b = create_vm(zvm, "-t hello -m 32 -p 3")
    assert uses(zvm, a)[0][1] == "dedicated"
    assert uses(zvm, a)[1][1] == "overcommit"  # two vCPUs may use CPU 3 alone
    assert uses(zvm, b)[0][1] == "overcommit"
    c = create_vm(zvm, "-t hello -m 32")  # anywhere: reaches CPUs 2 and 3 too
    assert uses(zvm, c)[0][1] in ("shared", "overcommit")
    assert uses(zvm, a)[0][1] != "dedicated"
    for vm in (b, c):
        zvm.run(f"zvm delete -n {vm}")
    assert uses(zvm, a) == {0: (0, "dedicated"), 1: (0, "dedicated")}
    zvm.run(f"zvm delete -n {a}")


@pytest.mark.parametrize("gtype,vcpus,pins", [("test-timer", 1, "3"), ("test-gic", 2, "2,3")])
def test_a_dedicated_guest_passes_and_sleeps_in_its_own_wfi(zvm, gtype, vcpus, pins):
    vm, out, passed, total = run_test_guest(zvm, gtype, vcpus, f"-p {pins}")
    assert passed == total and not re.findall(r"ZVMTEST (\S+) FAIL", out), out
    assert re.search(r"\d+ WFI\(s\)", out) or gtype != "test-timer", out
    rows = uses(zvm, vm)
    # The guest idled in WFI many times, and not one of them trapped.
    assert all(use == "dedicated" and wfi == 0 for wfi, use in rows.values()), rows
    zvm.run(f"zvm delete -n {vm}")


def test_the_same_guest_shared_traps_its_wfi(zvm):
    other = create_vm(zvm, "-t hello -m 32 -p 3")
    vm, out, passed, total = run_test_guest(zvm, "test-timer", 1, "-p 3")
    assert passed == total, out
    wfi, use = uses(zvm, vm)[0]
    assert use == "overcommit" and wfi > 0, (wfi, use)
    for v in (vm, other):
        zvm.run(f"zvm delete -n {v}")


def test_an_idle_dedicated_vcpu_gives_way_when_its_cpu_is_shared(zvm):
    # The RTOS idles in WFI at its prompt: while dedicated, its thread looks
    # busy; once another VM is placed on the CPU it must trap WFI again and let that VM run.
    idle = create_vm(zvm, "-t rtos -m 64 -p 3 --prio 5")
    zvm.run(f"zvm run -n {idle}")
    spin = create_vm(zvm, "-t test-spin -m 32 -p 3 --prio 20")
    zvm.run(f"zvm run -n {spin}")
    time.sleep(3)
    out = zvm.run(f"zvm stat {spin}")
    ms = int(re.search(r"^0\s+on\s+\S+\s+-?\d+\s+\S+\s+\d+\s+(\d+)\s", out, re.M)[1])
    assert ms > 1000, out  # the lower VM got the CPU the idle one does not use
    assert uses(zvm, idle)[0][1] == "overcommit"
    for vm in (spin, idle):
        zvm.run(f"zvm delete -n {vm}")
