"""Bare-metal test guests (guests/tests/) under ZVM: every case of every set must pass, the host
must survive whatever the guest does, and deleting the VM must give back all it had."""
import re
import time

import pytest

from qemu import Guest, create_vm, mem_used, run_pinned_pair

SETS = [("test-psci", 2), ("test-gic", 2), ("test-timer", 1), ("test-timer", 2),
        ("test-abort", 1), ("test-el0", 1), ("test-debug", 2), ("test-virtio", 1),
        ("test-vcons", 1)]


# Optional devices a set needs (`zvm new --dev`).
DEVS = {"test-virtio": "--dev virtio-rng"}


def run_test_guest(zvm, gtype, vcpus, extra=""):
    vm = create_vm(zvm, f"-t {gtype} -c {vcpus} -m 64 {DEVS.get(gtype, '')} {extra}")
    assert re.search(rf"vm {vm} running", zvm.run(f"zvm run -n {vm}"))
    with Guest(zvm, vm) as g:
        m = g.expect(r"ZVMTEST DONE (\d+)/(\d+)\r", timeout=120)
        out = zvm.child.before
    return vm, out, int(m.group(1)), int(m.group(2))


@pytest.mark.parametrize("gtype,vcpus", SETS)
def test_guest_set_passes(zvm, gtype, vcpus):
    before = mem_used(zvm)
    vm, out, passed, total = run_test_guest(zvm, gtype, vcpus)
    failures = re.findall(r"ZVMTEST (\S+) FAIL (.*)", out)
    assert not failures, failures
    assert passed == total and total == len(re.findall(r"ZVMTEST \S+ PASS", out))
    # The guest ends with PSCI SYSTEM_OFF: that VM halts, the host carries on.
    assert re.search(rf"^{vm}\s+\S+\s+{gtype}\s+{vcpus}\s+64\s+halted", zvm.run("zvm info"), re.M)
    assert "deleted" in zvm.run(f"zvm delete -n {vm}")
    assert mem_used(zvm) == before


def test_fp_state_survives_preemption_by_another_vm(zvm):
    """Two FP-checking guests pinned to the same physical CPU preempt each other (time
    slices) while each holds a pattern in all 32 Q registers."""
    for out in run_pinned_pair(zvm, "test-fp"):
        assert "FAIL" not in out, out
        assert re.search(r"ZVMTEST fp_regs_vcpu0 PASS", out)


def test_debug_registers_are_per_vm_and_survive_preemption(zvm):
    """Two debug guests pinned to one physical CPU: each sets random breakpoints and
    watchpoints (or none, in some rounds) on the same addresses the other one executes and
    writes, sleeps so the other VM runs, and checks that exactly its own fire."""
    for out in run_pinned_pair(zvm, "test-debug"):
        assert "FAIL" not in out, out
        assert re.search(r"ZVMTEST debug_soak PASS", out), out
        rounds = int(re.search(r"# (\d+) rounds of breakpoints", out).group(1))
        assert rounds >= 20, out


def test_debug_breakpoints_stay_with_their_vcpu_on_a_shared_pcpu(zvm):
    """Both vCPUs of a debug guest on one physical CPU: vCPU 1's breakpoint is in the
    hardware only while vCPU 1 runs there, never while vCPU 0 does."""
    vm, out, passed, total = run_test_guest(zvm, "test-debug", 2, "-p 1")
    assert not re.findall(r"ZVMTEST (\S+) FAIL (.*)", out), out
    assert "ZVMTEST debug_per_vcpu PASS" in out and passed == total
    assert "deleted" in zvm.run(f"zvm delete -n {vm}")


def test_abort_guest_does_not_disturb_a_running_neighbour(zvm):
    hello = create_vm(zvm, "-t hello -c 1 -m 32")
    zvm.run(f"zvm run -n {hello}")
    vm, out, passed, total = run_test_guest(zvm, "test-abort", 1)
    assert passed == total
    with Guest(zvm, hello) as g:
        first = int(g.expect(r"hello tick (\d+)\r", timeout=10).group(1))
        second = int(g.expect(r"hello tick (\d+)\r", timeout=10).group(1))
    assert second > first
    zvm.run(f"zvm delete -n {vm}")
    zvm.run(f"zvm delete -n {hello}")


def last_tick(zvm, vm):
    """The newest `hello tick N` in the VM's console buffer (attach, then detach at once)."""
    zvm.send(f"zvm look {vm}\r")
    zvm.expect(r"\[attached to vm \d+[^\n]*\n")
    zvm.send("\x18")
    out = zvm.wait_prompt()
    ticks = re.findall(r"hello tick (\d+)", out)
    assert ticks, out
    return int(ticks[-1])


def test_pause_stops_the_guest_and_run_resumes_it(zvm):
    vm = create_vm(zvm, "-t hello -c 1 -m 32")
    zvm.run(f"zvm run -n {vm}")
    time.sleep(2.5)
    assert f"vm {vm} paused" in zvm.run(f"zvm pause -n {vm}")
    assert re.search(rf"^{vm}\s.*paused$", zvm.run("zvm info"), re.M)
    paused_at = last_tick(zvm, vm)
    time.sleep(2.5)
    assert last_tick(zvm, vm) == paused_at
    assert f"vm {vm} running" in zvm.run(f"zvm run -n {vm}")
    time.sleep(2.5)
    assert last_tick(zvm, vm) > paused_at
    zvm.run(f"zvm delete -n {vm}")


def test_vm_reset_gives_a_fresh_machine_and_delete_stops_a_reset_loop(zvm):
    """test-reset checks at each boot that nothing the previous boot left in the GIC, its CPU
    interface or the UART survived SYSTEM_RESET, then resets again; deleting the VM in the
    middle of that loop must work and give everything back."""
    before = mem_used(zvm)
    vm = create_vm(zvm, "-t test-reset -c 2 -m 64")
    zvm.run(f"zvm run -n {vm}")
    with Guest(zvm, vm) as g:
        for _ in range(3):
            m = g.expect(r"ZVMTEST reset_leaves_nothing_behind (PASS|FAIL)([^\r\n]*)\r*\n", timeout=60)
            assert m.group(1) == "PASS", m.group(2)
        g.expect(rf"vm{vm} \(\S+\) reset", timeout=60)
    assert "deleted" in zvm.run(f"zvm delete -n {vm}")
    assert mem_used(zvm) == before


def test_ptimer_guests_sharing_one_cpu(zvm):
    """The emulated physical timer fires for a vCPU that is switched out when it comes due:
    two timer guests (the virtual timer's set, then the physical timer's) pinned to one CPU,
    each busy-waiting in some cases."""
    for out in run_pinned_pair(zvm, "test-timer"):
        assert "FAIL" not in out, out
        assert re.search(r"ZVMTEST ptimer_periodic_100_ticks PASS", out)


def test_delete_with_the_physical_timer_armed(zvm):
    """Deleting a VM whose physical timer is armed cancels its host timer: the timer set
    leaves it armed 10 s ahead (and ZVM panics if a vCPU is freed with it pending), and a new
    VM then takes the freed memory. Also deleted in the middle of the set's cases."""
    before = mem_used(zvm)
    for mark in ["ZVMTEST ptimer_imask_in_handler PASS", "ZVMTEST ptimer_wfi_wakeup_irq PASS",
                 "# ptimer left armed"]:
        vm = create_vm(zvm, "-t test-timer -c 1 -m 64")
        zvm.run(f"zvm run -n {vm}")
        with Guest(zvm, vm) as g:
            g.expect(re.escape(mark), timeout=60)
        assert "deleted" in zvm.run(f"zvm delete -n {vm}")
    assert mem_used(zvm) == before
    vm = create_vm(zvm, "-t hello -c 1 -m 32")
    zvm.run(f"zvm run -n {vm}")
    with Guest(zvm, vm) as g:
        g.expect(r"hello tick \d+\r", timeout=10)
    zvm.run(f"zvm delete -n {vm}")


def test_setway_maintenance_flushes_the_vm_ram(zvm):
    """The abort set cleans by set/way (caches off: a flush, TVM trapping on), then turns its
    MMU and caches on (a flush, trapping off), cleans by set/way again (a flush, trapping on)
    and turns them off (a flush): four whole-RAM flushes, counted by `zvm info -n`."""
    vm, out, passed, total = run_test_guest(zvm, "test-abort", 1)
    assert passed == total, out
    info = zvm.run(f"zvm info -n {vm}")
    ram_kib = int(re.search(r"^memory: (\d+) MiB", info, re.M).group(1)) * 1024
    assert re.search(rf"^cache flushes \(set/way\): 4, {4 * ram_kib} KiB cleaned$", info,
                     re.M), info
    zvm.run(f"zvm delete -n {vm}")


def test_setway_maintenance_in_a_dynamic_vm_cleans_its_resident_pages(zvm):
    """The same set in a dynamic VM: four flushes, each of the pages the guest has touched
    (a whole-RAM walk would clean 4 x 64 MiB; none would clean nothing)."""
    vm, out, passed, total = run_test_guest(zvm, "test-abort", 1, "--mem dynamic")
    assert passed == total, out
    info = zvm.run(f"zvm info -n {vm}")
    resident = int(re.search(r"^memory: \d+ MiB dynamic: (\d+) KiB resident", info,
                             re.M).group(1))
    m = re.search(r"^cache flushes \(set/way\): 4, (\d+) KiB cleaned$", info, re.M)
    assert m, info
    # Pages only become resident: every flush cleaned at most what is resident now, and the
    # guest's image and stack were resident before its first set/way operation.
    cleaned = int(m.group(1))
    assert 4 * 8 <= cleaned <= 4 * resident < 64 * 1024, info
    zvm.run(f"zvm delete -n {vm}")


def test_virtio_worker_runs_at_the_vm_priority_on_its_cpus_and_goes_with_it(zvm):
    """The virtio device's worker thread is created with the VM at its vCPUs' priority and on
    their CPUs, serves the guest's notifications (the virtio set's broken-queue case needs
    it), and is stopped, joined and freed with the VM."""
    before = mem_used(zvm)
    vm, out, passed, total = run_test_guest(zvm, "test-virtio", 1, "--prio 7 -p 2")
    assert not re.findall(r"ZVMTEST (\S+) FAIL (.*)", out), out
    assert "ZVMTEST virtio_mmio_broken_queue PASS" in out and passed == total
    threads = zvm.run("kernel threads")
    assert re.search(rf"^vm{vm}/virtio-rng\s+7\s+\S+\s+2\s", threads, re.M), threads
    # A VM reset quiesces the worker and resets the device: the whole set passes again.
    assert f"vm {vm} resetting" in zvm.run(f"zvm reset -n {vm}")
    with Guest(zvm, vm) as g:
        g.expect(r"ZVMTEST DONE", timeout=120)  # the first run's, replayed from the ring
        m = g.expect(r"ZVMTEST DONE (\d+)/(\d+)\r", timeout=120)
        again = zvm.child.before
    assert "ZVMTEST virtio_mmio_ident PASS" in again, again
    assert not re.findall(r"ZVMTEST (\S+) FAIL (.*)", again), again
    assert m.group(1) == m.group(2) == str(total)
    assert "deleted" in zvm.run(f"zvm delete -n {vm}")
    assert f"vm{vm}/virtio-rng" not in zvm.run("kernel threads")
    assert mem_used(zvm) == before


@pytest.mark.parametrize("mem", ["static", "dynamic"])
def test_virtio_console_output_reaches_zvm_look_and_info_counts_it(zvm, mem):
    """The vcons set writes through hvc0's transmitq (direct and indirect chains, a quiet one
    under the event index, one after a reset): each line is in the VM's console as `zvm look`
    shows it, and written only there (never through the PL011). `zvm info -n` counts the
    requests per queue. In a dynamic VM the rings are pinned and reached the same way."""
    vm, out, passed, total = run_test_guest(zvm, "test-vcons", 1, f"--mem {mem}")
    assert not re.findall(r"ZVMTEST (\S+) FAIL (.*)", out), out
    assert passed == total == 5, out
    for line in ("direct-chain", "indirect-chain", "quiet", "loud", "after-reset"):
        # Only the transmitq carries these (the guest never prints them on its PL011).
        # Replayed at `zvm look` (output from before the attach) a line ends "\r\r\n".
        assert re.search(rf"\[hvc0\] vcons-{line}\r+\n", out), (line, out)
    info = zvm.run(f"zvm info -n {vm}")
    # Transmit queue: 4 requests, the loop (no request: the queue broke), 1 after the reset
    # (the walker's counters survive resets).
    assert re.search(r"virtio-console: virtio-mmio at 0x[0-9a-f]+, SPI \d+, device id 3", info), info
    m = re.search(r"^\s+queue 1: \S+, size 16, requests (\d+) \(bad 0\)", info, re.M)
    assert m and int(m.group(1)) == 5, info
    assert "virtio-rng" not in info  # optional: only with --dev virtio-rng
    assert "deleted" in zvm.run(f"zvm delete -n {vm}")
