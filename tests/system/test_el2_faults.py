"""An EL2 fault while handling a guest's exit stops that VM only (zvm/vcpu_fault.c): the
registers are dumped, the VM is crashed for good, its faulted vCPU thread ends, the host and
the other VMs go on, and `zvm delete` frees it all. `zvm fault` arms the fault (a bad pointer)
in the next WFI exit, on the exception-context fast path or in the thread's slow-path handler.
A fault in host context still panics (test_kernel.py: test_fault_on_cpu2_dumps_registers_and_halts)."""
import re
import time

import pytest

from qemu import Guest, create_vm, mem_used, vm_state, wait_vm_state


def expect_after(zvm, out, patterns, timeout=30):
    """Each pattern in turn, first in out (what the arming command printed: the fault may
    come before its prompt) and then in what follows."""
    for p in patterns:
        m = re.search(p, out)
        if m:
            out = out[m.end():]
        else:
            out = ""
            zvm.expect(p, timeout=timeout)


def vcpu_threads(zvm):
    return sorted(re.findall(r"vm\d+/vcpu\d+", zvm.run("kernel threads")))


def ticks(zvm, vm, n=2):
    with Guest(zvm, vm) as g:
        for _ in range(n):
            g.expect(r"hello tick \d+\r", timeout=30)


@pytest.mark.parametrize("path", ["fast", "slow"])
def test_el2_fault_in_exit_handler_stops_only_that_vm(zvm, path):
    before_mem, before_threads = mem_used(zvm), vcpu_threads(zvm)
    victim = create_vm(zvm, "-t hello -m 32 -n victim")
    other = create_vm(zvm, "-t hello -m 32 -n other")
    zvm.run(f"zvm run -n {victim}")
    zvm.run(f"zvm run -n {other}")
    ticks(zvm, victim, 1)
    out = zvm.run(f"zvm fault -n {victim} -p {path}")
    assert f"{path} path" in out
    # The full register dump, then the verdict in words; hello sleeps in WFI between ticks.
    expect_after(zvm, out, [
        r"\*\*\* unexpected exception: synchronous exception in the hypervisor, "
        r"handling a guest's exit",
        r"ESR_EL2 0x[0-9a-f]{16} \(EC 0x25 ",
        r"FAR_EL2 0x0000dead00000040",
        r"x30 0x[0-9a-f]{16}",
        rf"vm {victim} \(victim\): EL2 fault while handling its vCPU 0: VM stopped",
        rf"zvm: vm{victim} \(victim\) crashed: EL2 fault in an exit handler; stays crashed"])
    wait_vm_state(zvm, victim, "crashed")
    # The host shell answers, the other VM keeps ticking, the victim's vCPU thread is gone.
    assert re.search(r"\d", zvm.run("kernel uptime"))
    ticks(zvm, other, 2)
    assert f"vm{victim}/vcpu0" not in vcpu_threads(zvm)
    assert vm_state(zvm, other) == "running"
    # No reset for it (its vCPU thread ended); delete frees everything.
    assert f"error: vm {victim} took an EL2 fault: it cannot reset; delete it" in \
        zvm.run(f"zvm reset -n {victim}")
    assert "deleted" in zvm.run(f"zvm delete -n {victim}")
    assert "deleted" in zvm.run(f"zvm delete -n {other}")
    assert mem_used(zvm) == before_mem
    assert vcpu_threads(zvm) == before_threads


def test_el2_fault_with_delete_policy_deletes_the_vm(zvm):
    before = mem_used(zvm)
    vm = create_vm(zvm, "-t hello -m 32 --on-crash delete")
    zvm.run(f"zvm run -n {vm}")
    ticks(zvm, vm, 1)
    zvm.run(f"zvm fault -n {vm} -p slow")
    zvm.expect(rf"vm {vm} \(\S+\): EL2 fault while handling its vCPU 0: VM stopped", timeout=30)
    zvm.expect(rf"zvm: vm{vm} \(\S+\) deleted", timeout=30)
    assert not re.search(rf"^{vm}\s", zvm.run("zvm info"), re.M)
    time.sleep(0.5)
    assert mem_used(zvm) == before


def test_fault_command_errors(zvm):
    assert re.search(r"usage: zvm fault", zvm.run("zvm fault -n 0"))
    assert re.search(r"usage: zvm fault", zvm.run("zvm fault -n 0 -p sideways"))
    assert "error: no VM '9' (see 'zvm info')" in zvm.run("zvm fault -n 9 -p fast")


def test_el2_fault_with_a_lock_held_still_panics(fresh_zvm):
    """The same fault with the VM's spinlock held (DAIF.F set) cannot be survived: the lock
    would stay locked. The host panics with the full dump instead of stopping the VM."""
    host = fresh_zvm()
    host.boot()
    vm = create_vm(host, "-t hello -m 32 -n locked")
    host.run(f"zvm run -n {vm}")
    ticks(host, vm, 1)
    out = host.run(f"zvm fault -n {vm} -p locked")
    assert "error: zvm fault -p locked panics the host on purpose; confirm with --yes-crash" in out
    assert "locked path" in host.run(f"zvm fault -n {vm} -p locked --yes-crash")
    host.expect(r"injected EL2 fault on the locked path", timeout=30)
    host.expect(r"\*\*\* unexpected exception: synchronous exception in the hypervisor\r*\n",
                timeout=10)
    host.expect(r"ZVM PANIC on CPU with MPIDR 0x[0-9a-f]+: synchronous exception at EL2",
                timeout=10)
    host.child.expect_exact("system halted", timeout=10)
    assert "EL2 fault while handling its vCPU" not in host.child.before


def test_el2_fault_with_reset_policy_stays_crashed(zvm):
    """A reset would wait forever for the faulted vCPU's ended thread: the policy says so in
    words and the VM stays crashed until it is deleted."""
    before = mem_used(zvm)
    vm = create_vm(zvm, "-t hello -m 32 -c 2 --on-crash reset")
    zvm.run(f"zvm run -n {vm}")
    ticks(zvm, vm, 1)
    zvm.run(f"zvm fault -n {vm} -p slow")
    zvm.expect(rf"zvm: vm{vm} \(\S+\) crashed: EL2 fault in an exit handler; stays crashed "
               r"\(no reset after an EL2 fault\)", timeout=30)
    wait_vm_state(zvm, vm, "crashed")
    time.sleep(1)
    assert vm_state(zvm, vm) == "crashed"
    assert "deleted" in zvm.run(f"zvm delete -n {vm}")
    assert mem_used(zvm) == before


def test_el2_fault_in_device_worker_stops_only_that_vm(zvm):
    """A device worker's pass runs under a recovery point too (kernel/recover.h): a bug there
    costs its VM, and the worker never runs again; the thread still ends on delete."""
    before_mem = mem_used(zvm)
    before_threads = sorted(re.findall(r"vm\d+/\S+", zvm.run("kernel threads")))
    victim = create_vm(zvm, "-t hello -m 32 -n wvictim")
    other = create_vm(zvm, "-t hello -m 32 -n wother")
    zvm.run(f"zvm run -n {victim}")
    zvm.run(f"zvm run -n {other}")
    ticks(zvm, victim, 1)
    out = zvm.run(f"zvm fault -n {victim} -p worker")
    assert "worker path" in out
    # The worker runs at once: its report may come before the prompt.
    expect_after(zvm, out, [
        r"\*\*\* unexpected exception: synchronous exception in the hypervisor, "
        r"in a device worker",
        r"FAR_EL2 0x0000dead00000080",
        rf"vm {victim} \(wvictim\): EL2 fault in its device worker vm{victim}/\S+: VM stopped",
        rf"zvm: vm{victim} \(wvictim\) crashed: EL2 fault in a device worker; stays crashed"])
    wait_vm_state(zvm, victim, "crashed")
    assert re.search(r"\d", zvm.run("kernel uptime"))
    ticks(zvm, other, 2)
    assert vm_state(zvm, other) == "running"
    assert f"error: vm {victim} took an EL2 fault: it cannot reset; delete it" in \
        zvm.run(f"zvm reset -n {victim}")
    assert "deleted" in zvm.run(f"zvm delete -n {victim}")
    assert "deleted" in zvm.run(f"zvm delete -n {other}")
    assert mem_used(zvm) == before_mem
    assert sorted(re.findall(r"vm\d+/\S+", zvm.run("kernel threads"))) == before_threads


def test_el2_fault_in_worker_holding_a_mutex_panics(fresh_zvm):
    """A k_mutex left owned by a dropped frame would hang whoever takes it next: such a fault
    cannot be the VM's alone, and the host panics with the dump."""
    host = fresh_zvm()
    host.boot()
    vm = create_vm(host, "-t hello -m 32 -n wmutex")
    host.run(f"zvm run -n {vm}")
    ticks(host, vm, 1)
    out = host.run(f"zvm fault -n {vm} -p worker-mutex")
    assert "error: zvm fault -p worker-mutex panics the host on purpose; confirm with " \
        "--yes-crash" in out
    assert "worker-mutex path" in host.run(f"zvm fault -n {vm} -p worker-mutex --yes-crash")
    host.expect(r"injected EL2 fault in the device worker, holding a mutex", timeout=30)
    host.expect(r"ZVM PANIC on CPU with MPIDR 0x[0-9a-f]+: synchronous exception at EL2",
                timeout=10)
    host.child.expect_exact("system halted", timeout=10)
    assert "EL2 fault in its device worker" not in host.child.before
