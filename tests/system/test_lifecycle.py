"""VM lifecycle: the state machine seen from the shell (reset, halted VMs), and the races the
review found (`zvm run` during a reset, CPU_ON against reset)."""
import re
import time

import pytest

import board
from qemu import Guest, create_vm, mem_used, vm_state as state, wait_vm_state as wait_state


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
            m = g.expect(r"ZVMTEST reset_leaves_nothing_behind (PASS|FAIL)([^\r\n]*)\r*\n", timeout=90)
            assert m.group(1) == "PASS", m.group(2)
    assert "deleted" in zvm.run(f"zvm delete -n {vm}")
    assert mem_used(zvm) == before


def test_shutdown_presses_the_power_button_and_the_guest_powers_off(zvm):
    vm = create_vm(zvm, "-t test-power -m 32")
    zvm.run(f"zvm run -n {vm}")
    with Guest(zvm, vm) as g:
        g.expect(r"ZVMTEST pl061_power_key_present (PASS|FAIL)([^\r\n]*)\r*\n", timeout=30)
        assert zvm.child.match.group(1) == "PASS", zvm.child.match.group(2)
        g.expect(r"power: waiting for the power key", timeout=30)
    out = zvm.run(f"zvm shutdown -n {vm}", timeout=60)
    assert f"vm {vm}: power button pressed" in out, out
    assert f"vm {vm} shut down" in out, out
    assert state(zvm, vm) == "halted"
    with Guest(zvm, vm) as g:
        g.expect(r"power: key pressed \(pin reads 0x8\)", timeout=5)
    assert f"error: vm {vm} is halted already" in zvm.run(f"zvm shutdown -n {vm}")
    # After a reset the key is up again and works again.
    zvm.run(f"zvm reset -n {vm}")
    wait_state(zvm, vm, "running")
    with Guest(zvm, vm) as g:
        g.expect(r"power: waiting for the power key", timeout=30)
    assert f"vm {vm} shut down" in zvm.run(f"zvm shutdown {vm} -t 20", timeout=60)
    zvm.run(f"zvm delete -n {vm}")


def test_shutdown_stops_a_deaf_guest_after_the_timeout_and_force_stops_at_once(zvm):
    vm = create_vm(zvm, "-t test-power-deaf -m 32")
    zvm.run(f"zvm run -n {vm}")
    with Guest(zvm, vm) as g:
        g.expect(r"power: waiting for the power key", timeout=30)
    t0 = time.monotonic()
    out = zvm.run(f"zvm shutdown -n {vm} -t 2", timeout=60)
    assert f"vm {vm} did not power off within 2 s: stopping it" in out, out
    assert f"vm {vm} stopped" in out, out
    assert time.monotonic() - t0 >= 2
    assert state(zvm, vm) == "halted"
    with Guest(zvm, vm) as g:
        g.expect(r"power: key pressed", timeout=5)

    zvm.run(f"zvm reset -n {vm}")
    wait_state(zvm, vm, "running")
    out = zvm.run(f"zvm shutdown -n {vm} --force")
    assert f"vm {vm} stopped" in out and "power button" not in out, out
    assert state(zvm, vm) == "halted"
    zvm.run(f"zvm delete -n {vm}")


def test_shutdown_errors(zvm):
    vm = create_vm(zvm, "-t hello -m 32")
    cases = {
        f"zvm shutdown -n {vm}": f"error: vm {vm} is created: only a running guest can react to the "
                                 "power button; use --force",
        f"zvm shutdown -n {vm} -t x": "error: bad timeout 'x' (0 to 3600 seconds)",
        f"zvm shutdown -n {vm} -t 9999": "error: bad timeout '9999' (0 to 3600 seconds)",
        f"zvm shutdown -n {vm} --force": f"error: vm {vm} is created: cannot stop it now",
        "zvm shutdown -n 7": "error: no VM '7' (see 'zvm info')",
    }
    for line, error in cases.items():
        out = zvm.run(line)
        assert error in out, (line, out)
    assert re.search(r"usage: zvm shutdown", zvm.run(f"zvm shutdown -n {vm} -x"))
    assert re.search(r"usage: zvm shutdown", zvm.run("zvm shutdown"))
    zvm.run(f"zvm delete -n {vm}")


@pytest.mark.parametrize("policy", ["stay", "reset", "delete"])
def test_pvpanic_makes_the_vm_crashed_and_applies_its_policy(zvm, policy):
    before = mem_used(zvm)
    vm = create_vm(zvm, f"-t test-panic -m 32 --on-crash {policy}")
    assert f"on-crash {policy}" in zvm.run(f"zvm info -n {vm}")
    zvm.run(f"zvm run -n {vm}")
    zvm.expect(rf"zvm: vm{vm} \(\S+\) crashed: the guest reported a panic \(pvpanic\); ", timeout=30)
    if policy == "stay":
        wait_state(zvm, vm, "crashed")
        exits = re.search(r"^\s+0\s+\S+\s+\S+\s+-?\d+\s+-?\d+\s+\d+\s+(\d+)", zvm.run(f"zvm info -n {vm}"), re.M)
        time.sleep(1)
        again = re.search(r"^\s+0\s+\S+\s+\S+\s+-?\d+\s+-?\d+\s+\d+\s+(\d+)", zvm.run(f"zvm info -n {vm}"), re.M)
        assert exits.group(1) == again.group(1), "a crashed VM's vCPU still runs"
        assert f"error: vm {vm} is crashed: reset it" in zvm.run(f"zvm run -n {vm}")
        zvm.run(f"zvm delete -n {vm}")
    elif policy == "reset":
        # It boots again and panics again, for ever.
        zvm.expect(rf"zvm: vm{vm} \(\S+\) reset", timeout=30)
        zvm.expect(rf"zvm: vm{vm} \(\S+\) crashed", timeout=30)
        zvm.run(f"zvm delete -n {vm}")
    else:
        zvm.expect(rf"zvm: vm{vm} \(\S+\) deleted", timeout=30)
        assert not re.search(rf"^{vm}\s", zvm.run("zvm info"), re.M)
    assert mem_used(zvm) == before


def test_names_are_checked(zvm):
    long = "a" * 24
    cases = {
        f"zvm new -t hello -n {long}": f"error: bad VM name '{long}': a VM name has at most 23 characters",
        "zvm new -t hello -n 42": "error: bad VM name '42': a VM name cannot be all digits",
        "zvm new -t hello -n a/b": "error: bad VM name 'a/b': a VM name has only letters, digits",
        "zvm new -t hello -n x --on-crash never": "error: bad --on-crash 'never' (stay, reset or delete)",
    }
    for line, error in cases.items():
        out = zvm.run(line)
        assert error in out, (line, out)
    vm = create_vm(zvm, f"-t hello -m 32 -n {long[:23]}")
    assert "exists already" in zvm.run(f"zvm new -t hello -m 32 -n {long[:23]}")
    assert not re.search(r"^\d+\s", zvm.run("zvm info").replace(f"{vm} ", "", 1), re.M)
    zvm.run(f"zvm delete -n {long[:23]}")


def test_info_of_one_vm_in_detail(zvm):
    vm = create_vm(zvm, "-t hello -c 2 -m 64 -n detail")
    zvm.run(f"zvm run -n {vm}")
    time.sleep(1.5)
    out = zvm.run("zvm info -n detail")
    assert re.search(rf"^vm {vm}: name detail, type hello, state running, on-crash stay$", out, re.M), out
    assert re.search(r"^\s+VCPU\s+POWER\s+THREAD\s+CPU\s+PRIO\s+TIME\(ms\)\s+EXITS\s+WFI\s+IRQ\s+HVC\s+MMIO\s+OTHER",
                     out, re.M), out
    v0 = re.search(r"^\s+0\s+on\s+\S+\s+\d+\s+\d+\s+\d+\s+([1-9]\d*)\s+([1-9]\d*)", out, re.M)
    assert v0, out  # vCPU 0 ran, took exits, among them WFI (hello sleeps)
    assert re.search(r"^\s+1\s+off\s", out, re.M), out  # hello never starts vCPU 1
    assert re.search(r"^memory: 64 MiB in \d+ block\(s\)$", out, re.M), out
    assert re.search(r"^\s+IPA 0x40000000-0x\w+\s+host 0x\w+\s+\d+ MiB$", out, re.M), out
    gic = (["GICv3 distributor", "GICv3 redistributors"] if board.GIC == 3 else
           ["GICv2 distributor", r"GICv2 CPU interface \(the host's GICV, mapped\)"])
    for dev in [*gic, r"PL011 UART \(console\), SPI 1",
                r"PL061 GPIO \(power button: pin 3\), SPI 7", "pvpanic"]:
        assert re.search(rf"^\s+0x\w+-0x\w+\s+{dev}$", out, re.M), (dev, out)
    assert "error: no VM 'nosuch' (see 'zvm info')" in zvm.run("zvm info -n nosuch")
    assert re.search(r"usage: zvm info", zvm.run("zvm info -n 1 2"))
    zvm.run(f"zvm delete -n {vm}")


@pytest.mark.parametrize("vcpus", [3, 4])
def test_cpu_on_races_have_one_winner(zvm, vcpus):
    """test-psci-race: vCPUs race CPU_ON against one target that keeps powering itself off;
    every round exactly one CPU_ON succeeds and the target starts exactly once."""
    vm = create_vm(zvm, f"-t test-psci-race -c {vcpus} -m 32")
    zvm.run(f"zvm run -n {vm}")
    with Guest(zvm, vm) as g:
        m = g.expect(r"ZVMTEST cpu_on_race_one_winner (PASS|FAIL)([^\r\n]*)\r*\n", timeout=180)
        assert m.group(1) == "PASS", m.group(2)
        g.expect(r"ZVMTEST DONE 1/1", timeout=30)
    zvm.run(f"zvm delete -n {vm}")


def test_dozens_of_vms_side_by_side(zvm):
    """VM_MAX is 64: that many VMs exist at once and the next is refused in words; two dozen
    run together and all make progress; deleting them all gives every byte back."""
    before = mem_used(zvm)
    # VMs an earlier failed test left behind take slots too: fill the table whatever it holds.
    present = len(re.findall(r"^\d+\s+\S+\s+\S+\s+\d+\s+\d+\s+\S+$", zvm.run("zvm info"), re.M))
    ids = [create_vm(zvm, f"-t hello -m 8 -n many{i}") for i in range(64 - present)]
    assert "error: at most 64 VMs" in zvm.run("zvm new -t hello -m 8 -n one-too-many")
    for vm in ids[:24]:
        zvm.run(f"zvm run -n {vm}")
    for vm in ids[:24]:
        with Guest(zvm, vm) as g:
            g.expect(r"hello tick \d+\r", timeout=30)
    for vm in ids:
        assert "deleted" in zvm.run(f"zvm delete -n {vm}")
    assert mem_used(zvm) == before
