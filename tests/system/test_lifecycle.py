"""VM lifecycle: the state machine seen from the shell (reset, halted VMs), and the races the
review found (`zvm run` during a reset, CPU_ON against reset)."""
import re
import time

import pytest

from qemu import Guest, create_vm, mem_used


def state(zvm, vm):
    m = re.search(rf"^{vm}\s+\S+\s+\S+\s+\d+\s+\d+\s+(\S+)$", zvm.run("zvm info"), re.M)
    assert m, zvm.run("zvm info")
    return m.group(1)


def wait_state(zvm, vm, want, timeout=60):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        s = state(zvm, vm)
        if s == want:
            return
        time.sleep(0.2)
    raise AssertionError(f"vm {vm} stayed {s}, not {want}")


def test_halted_vm_restarts_only_through_reset(zvm):
    """test-psci powers itself off at the end: `zvm run` is refused in words, `zvm reset`
    boots it again from its images."""
    vm = create_vm(zvm, "-t test-psci -c 2 -m 32")
    zvm.run(f"zvm run -n {vm}")
    wait_state(zvm, vm, "halted")
    out = zvm.run(f"zvm run -n {vm}")
    assert f"error: vm {vm} is halted: reset it ('zvm reset -n {vm}') or delete it" in out, out
    assert f"error: vm {vm} is halted: reset it" in zvm.run(f"zvm pause -n {vm}")
    assert f"vm {vm} resetting" in zvm.run(f"zvm reset -n {vm}")
    with Guest(zvm, vm) as g:
        m = g.expect(r"ZVMTEST DONE (\d+)/(\d+)\r", timeout=120)
        assert m.group(1) == m.group(2)
    wait_state(zvm, vm, "halted")
    zvm.run(f"zvm delete -n {vm}")


def test_reset_of_created_and_running_vms(zvm):
    vm = create_vm(zvm, "-t hello -m 32")
    # A created VM reset is a power-on.
    assert f"vm {vm} resetting" in zvm.run(f"zvm reset {vm}")
    wait_state(zvm, vm, "running")
    with Guest(zvm, vm) as g:
        g.expect(r"hello tick 1\r", timeout=30)
    assert f"vm {vm} resetting" in zvm.run(f"zvm reset -n {vm}")
    with Guest(zvm, vm) as g:
        g.expect(r"ZVM guest hello from vCPU 0", timeout=30)
        g.expect(r"hello tick 1\r", timeout=30)
    assert "error: no VM '7' (see 'zvm info')" in zvm.run("zvm reset -n 7")
    assert re.search(r"usage: zvm reset", zvm.run("zvm reset"))
    zvm.run(f"zvm delete -n {vm}")


def test_run_spammed_during_resets_is_refused_and_the_guest_stays_healthy(fresh_zvm):
    """The reported race: a large test-reset VM resets for ever, most of the time clearing its
    RAM. `zvm run` every 50 ms must never start it in the middle of a reset (it used to: the
    guest then ran zeroed memory and looped on aborts); every answer is a refusal in words."""
    zvm = fresh_zvm(mem="3G")
    zvm.boot()
    before = mem_used(zvm)
    vm = create_vm(zvm, "-t test-reset -c 2 -m 1536")
    zvm.run(f"zvm run -n {vm}")
    answers = {"resetting": 0, "running": 0}
    end = time.monotonic() + 15
    while time.monotonic() < end:
        out = zvm.run(f"zvm run -n {vm}")
        if f"error: vm {vm} is resetting; try again in a moment" in out:
            answers["resetting"] += 1
        elif f"error: vm {vm} is running already" in out:
            answers["running"] += 1
        else:
            pytest.fail(f"`zvm run` during resets answered: {out!r}")
        time.sleep(0.05)
    assert answers["resetting"] >= 3, answers
    # The guest still boots and passes its check after every reset.
    with Guest(zvm, vm) as g:
        for _ in range(2):
            m = g.expect(r"ZVMTEST reset_leaves_nothing_behind (PASS|FAIL)([^\r\n]*)", timeout=90)
            assert m.group(1) == "PASS", m.group(2)
    assert "deleted" in zvm.run(f"zvm delete -n {vm}")
    assert mem_used(zvm) == before
