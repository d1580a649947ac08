"""Long runs (issue 11): VM life cycles and pause/run/reset storms leave the host exactly as it
was: `kernel mem` and the thread list back to their baseline, the shell answering, every guest
still healthy. `make soak` runs the full counts (ZVM_SOAK=1: 1000 test-guest cycles, 50 Linux
cycles, a 30-minute storm over two Linux VMs and two test VMs); `make test` runs the same code
with short counts. ZVM_SOAK_SEED=N repeats a storm's sequence of operations."""
import os
import random
import re
import time

import pexpect

from qemu import Guest, create_vm, mem_used, vm_state, wait_vm_state

FULL = os.environ.get("ZVM_SOAK") == "1"
GUEST_CYCLES = 1000 if FULL else 20
LINUX_CYCLES = 50 if FULL else 1
STORM_SECONDS = 1800 if FULL else 25
SEED = int(os.environ.get("ZVM_SOAK_SEED", "1"))


def thread_names(zvm):
    """The host's threads by name (the vm-life worker's state varies, its presence does not)."""
    out = zvm.run("kernel threads")
    return sorted(line.split()[0] for line in out.splitlines()[1:] if line.strip())


def baseline(zvm):
    return mem_used(zvm), thread_names(zvm)


def assert_back_to(zvm, base, what):
    now = baseline(zvm)
    assert now == base, f"after {what}: {now} != baseline {base}"


def linux_answers(g, timeout=240):
    """Linux has booted and its shell computes: `zvm look` replays the console's history, so
    the proof is an answer that appears nowhere before (the command line shows $((...)))."""
    g.expect("ZVM-LINUX-INIT-OK", timeout=timeout)
    # What is typed before the shell has opened its tty is dropped (by Linux, not ZVM): ask
    # again until it answers.
    end = time.monotonic() + timeout
    while True:
        g.send("echo ok$((40+2))\r")
        try:
            g.expect("ok42", timeout=5)
            return
        except pexpect.TIMEOUT:
            assert time.monotonic() < end, "Linux's shell never answered"


def test_test_guest_create_run_delete_cycles(zvm):
    """Create, run and delete a 2-vCPU test guest over and over; every tenth cycle proves the
    guest really ran (its greeting on the console) before the delete."""
    base = baseline(zvm)
    for i in range(GUEST_CYCLES):
        vm = create_vm(zvm, "-t hello -c 2 -m 32")
        assert f"vm {vm} running" in zvm.run(f"zvm run -n {vm}")
        if i % 10 == 0:
            with Guest(zvm, vm) as g:
                g.expect(r"hello tick \d+\r", timeout=30)
        assert f"vm {vm} deleted" in zvm.run(f"zvm delete -n {vm}")
        if i % 100 == 99:
            assert_back_to(zvm, base, f"{i + 1} cycles")
    assert_back_to(zvm, base, f"{GUEST_CYCLES} cycles")


def test_linux_create_boot_delete_cycles(zvm):
    """A Linux VM boots to its shell and is deleted while running, LINUX_CYCLES times."""
    base = baseline(zvm)
    for i in range(LINUX_CYCLES):
        vm = create_vm(zvm, f"-t linux -c {1 + i % 2} -m 256")
        zvm.run(f"zvm run -n {vm}")
        with Guest(zvm, vm) as g:
            linux_answers(g)
        assert f"vm {vm} deleted" in zvm.run(f"zvm delete -n {vm}")
    assert_back_to(zvm, base, f"{LINUX_CYCLES} Linux cycles")


def run_ignoring_refusals(zvm, line):
    """A storm's command: a refusal in words is a fine answer (a VM busy resetting, running
    already...), anything else but the expected reply is a failure."""
    out = zvm.run(line, timeout=60)
    # Other lines may be the host's own news ("zvm: vm3 (name) reset") arriving meanwhile.
    assert re.search(r"^(vm \d+ \w+|error: .+)$", out, re.M), f"{line!r} answered {out!r}"
    return out


def test_pause_run_reset_storm(zvm):
    """Two Linux VMs and two test VMs; for STORM_SECONDS, random pause / run / reset commands
    from the shell, as fast as it answers. Then every VM runs again and proves it is healthy
    (Linux answers in its shell after its reboot; the test guests tick), and deleting them all
    gives everything back."""
    base = baseline(zvm)
    rng = random.Random(SEED)
    linux = [create_vm(zvm, "-t linux -c 2 -m 256") for _ in range(2)]
    tests = [create_vm(zvm, "-t hello -c 2 -m 32"), create_vm(zvm, "-t test-timer -c 2 -m 64")]
    vms = linux + tests
    for vm in vms:
        zvm.run(f"zvm run -n {vm}")
    ops = {"pause": 0, "run": 0, "reset": 0}
    end = time.monotonic() + STORM_SECONDS
    while time.monotonic() < end:
        op = rng.choice(list(ops))
        run_ignoring_refusals(zvm, f"zvm {op} -n {rng.choice(vms)}")
        ops[op] += 1
        time.sleep(rng.choice([0, 0.05, 0.2, 1.0]))
    print(f"storm: {ops} in {STORM_SECONDS} s (seed {SEED})")
    assert min(ops.values()) > 0, ops
    # Everything running again (a VM may still be resetting: it comes back by itself).
    for vm in vms:
        settle = time.monotonic() + 60
        while vm_state(zvm, vm) == "resetting" and time.monotonic() < settle:
            time.sleep(0.2)
        assert f"vm {vm} resetting" in zvm.run(f"zvm reset -n {vm}")
        wait_vm_state(zvm, vm, "running", timeout=120)
    for vm in linux:
        with Guest(zvm, vm) as g:
            linux_answers(g)
    with Guest(zvm, tests[0]) as g:
        g.expect(r"hello tick \d+\r", timeout=30)
    with Guest(zvm, tests[1]) as g:
        m = g.expect(r"ZVMTEST DONE (\d+)/(\d+)\r", timeout=180)
        assert m.group(1) == m.group(2), zvm.child.before
    for vm in vms:
        assert f"vm {vm} deleted" in zvm.run(f"zvm delete -n {vm}")
    assert_back_to(zvm, base, "the storm")
