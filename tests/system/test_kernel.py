"""The host kernel's services, exercised live by the `selftest` shell command
(kernel/cmd_selftest.c, kernel/selftest_*.c): threads on every CPU, sleeping, time slices,
preemption, semaphores, mutexes, timers, the allocators and the panic path."""
import re
import time

import pexpect
import pytest

from qemu import PROMPT, clean

# sync does 40000 contended mutex operations; on a loaded 2-core host that took up to 45 s.
SELFTEST_TIMEOUT = 300
# A "FAIL timing: ..." result is a bound on lateness that a vCPU thread held off by the host can
# break; such a run is repeated. Any other failure fails the test at once.
TIMING_ATTEMPTS = 3
ONLINE = 0xF  # the default machine has 4 CPUs
MAX_LATE_US = 20000


def run(zvm, line, timeout=30):
    """Like Zvm.run, but a kernel panic fails the test at once instead of after the timeout."""
    zvm.send(line + "\r")
    if zvm.child.expect_exact([PROMPT, "*** system halted"], timeout=timeout) == 1:
        pytest.fail(f"`{line}` crashed the kernel:\n{clean(zvm.child.before)}")
    out = clean(zvm.child.before)
    first, _, rest = out.partition("\n")  # the shell's echo of the line
    return rest if line.strip() in first else out


def selftest(zvm, args):
    """Runs `selftest <args>` until it passes; returns its output and host seconds it took."""
    name = args.split()[0]
    for _ in range(TIMING_ATTEMPTS):
        start = time.monotonic()
        out = run(zvm, f"selftest {args}", timeout=SELFTEST_TIMEOUT)
        seconds = time.monotonic() - start
        m = re.search(rf"^selftest {name}: (PASS|FAIL (.*))$", out, re.M)
        assert m, out
        if m.group(1) == "PASS":
            return out, seconds
        assert m.group(2).startswith("timing:"), out
    pytest.fail(f"selftest {args}: timing failure {TIMING_ATTEMPTS} times in a row:\n{out}")


def field(pattern, out, conv=int):
    m = re.search(pattern, out, re.M)
    assert m, f"{pattern!r} not in:\n{out}"
    return tuple(conv(g, 0) if conv is int else conv(g) for g in m.groups())


def mem_used(zvm):
    """Used KiB of the heap and of the page allocator, from `kernel mem`."""
    out = run(zvm, "kernel mem")
    used = {m.group(1): int(m.group(2))
            for m in re.finditer(r"^(heap|pages)\s+\d+ KiB\s+(\d+) KiB", out, re.M)}
    assert set(used) == {"heap", "pages"}, out
    return used


def assert_no_leak(out, name):
    """The kernel's own byte-exact before/after line."""
    hb, ha, pb, pa = field(rf"^{name}: heap used (\d+) -> (\d+) bytes, pages used (\d+) -> "
                           r"(\d+) bytes", out)
    assert (hb, pb) == (ha, pa), out


def selftest_threads(zvm):
    return re.findall(r"^st-\S+", run(zvm, "kernel threads"), re.M)


def test_help_lists_selftest(zvm):
    out = run(zvm, "help")
    assert re.search(r"^\s*selftest\b", out, re.M), out
    for sub in ["smp", "sleep", "slice", "prio", "sync", "heap", "fault"]:
        assert re.search(rf"^\s+{sub}\b", out, re.M), sub


def test_smp_threads_use_every_cpu_and_pinned_ones_stay(zvm):
    before = mem_used(zvm)
    out, _ = selftest(zvm, "smp")

    # `kernel threads`, run by the command halfway, lists its threads while they run.
    listing = out.split("smp: threads while running:", 1)[1]
    for cpu in range(4):
        assert re.search(rf"^st-pin/{cpu}\s+10\s+(running|ready)\s+{cpu}\s", listing, re.M), \
            listing
        assert re.search(rf"^st-smp/{cpu}\s+10\s+(running|ready)\s+[0-3]\s", listing, re.M), \
            listing
    # A snapshot cannot promise two of them were running at that instant (on a loaded host the
    # other CPUs' threads may just be ready); that they overlap in time follows from all of them
    # spinning until the same deadline, on the CPUs the masks below show.
    placed_on = {int(c) for c in re.findall(r"^st-\S+\s+10\s+(?:running|ready)\s+(\d+)", listing,
                                             re.M)}
    assert placed_on == {0, 1, 2, 3}, listing

    for cpu in range(4):
        assert field(rf"^pinned {cpu} ran on cpus (0x[0-9a-f]+)$", out) == (1 << cpu,), out
    for i in range(4):
        assert field(rf"^unpinned {i} ran on cpus (0x[0-9a-f]+)$", out)[0] & ONLINE, out
    assert field(r"^smp: online cpus (0x[0-9a-f]+)$", out) == (ONLINE,)
    assert field(r"^smp: unpinned cpus used (0x[0-9a-f]+)$", out) == (ONLINE,)
    assert field(r"^smp: cpus used (0x[0-9a-f]+)$", out) == (ONLINE,)
    assert field(r"^smp: call-function ran on cpus (0x[0-9a-f]+)$", out) == (ONLINE,)
    calls = field(r"^smp: cpus 1 and 2 called each other for \d+ ms: (\d+) and (\d+) calls$", out)
    assert calls and min(calls) > 0, out

    # Joined and freed: no thread left, memory back to what it was.
    assert_no_leak(out, "smp")
    assert selftest_threads(zvm) == []
    assert mem_used(zvm) == before


def test_sleep_accuracy_and_wake_order(zvm):
    before = mem_used(zvm)
    out, _ = selftest(zvm, "sleep 100")
    us, ms = field(r"^slept (\d+) us \(requested (\d+) ms\)$", out)
    assert ms == 100
    assert ms * 1000 <= us < ms * 1000 + MAX_LATE_US, out
    assert field(r"^sleep: woke in order (\d+) (\d+) (\d+) (\d+)$", out) == (30, 60, 90, 120)
    lates = re.findall(r"^sleep: (\d+) ms thread woke (\d+) us late$", out, re.M)
    assert sorted(int(d) for d, _ in lates) == [30, 60, 90, 120], out
    assert all(int(late) < MAX_LATE_US for _, late in lates), out
    assert "EARLY" not in out
    assert_no_leak(out, "sleep")
    assert mem_used(zvm) == before


def test_sleep_2s_matches_host_clock(zvm):
    out, seconds = selftest(zvm, "sleep 2000")
    us, _ = field(r"^slept (\d+) us \(requested (\d+) ms\)$", out)
    assert 2000000 <= us < 2000000 + MAX_LATE_US, out
    # The whole command (the 2 s sleep, then about 0.15 s of sleeper threads) by the host clock.
    assert 1.5 < seconds < 10, seconds


def test_sleep_usage(zvm):
    assert "usage: selftest sleep <ms>" in run(zvm, "selftest sleep")
    assert "usage: selftest sleep <ms>" in run(zvm, "selftest sleep soon")


def test_time_slicing_shares_one_cpu(zvm):
    out, _ = selftest(zvm, "slice")
    cpu, a, b = field(r"^slice: cpu (\d+) counts (\d+) (\d+)$", out)
    assert cpu == 1
    assert a > 0 and b > 0, out
    assert max(a, b) <= 4 * min(a, b), out
    # 500 ms in 10 ms slices: each thread was switched out about 25 times.
    ga, gb, slice_ms = field(r"^slice: switched out (\d+) (\d+) times \(slice (\d+) ms\)$", out)
    assert slice_ms == 10
    assert ga >= 5 and gb >= 5, out
    assert_no_leak(out, "slice")


@pytest.mark.parametrize("cpu", [None, 3])
def test_urgent_thread_preempts_busy_one(zvm, cpu):
    out, _ = selftest(zvm, "prio" if cpu is None else f"prio {cpu}")
    ran_on, = field(r"^prio: cpu (\d+) low thread busy at wake-up: yes$", out)
    assert ran_on == (1 if cpu is None else cpu)
    latency, = field(r"^prio: preempted after (\d+) us$", out)
    assert latency < MAX_LATE_US, out
    assert_no_leak(out, "prio")


def test_slice_and_prio_reject_offline_cpu(zvm):
    assert "usage: selftest slice [cpu]" in run(zvm, "selftest slice 7")
    assert "usage: selftest prio [cpu]" in run(zvm, "selftest prio x")


def test_sync_primitives_across_cpus(zvm):
    before = mem_used(zvm)
    out, _ = selftest(zvm, "sync")

    a, b, ca, cb = field(r"^sync: pingpong (\d+)/(\d+) rounds on cpus (\d+),(\d+) in \d+ us$",
                         out)
    assert (a, b) == (1000, 1000) and ca != cb, out

    assert field(r"^sync: mutex counter (\d+) \(expected (\d+)\)", out) == (40000, 40000)

    assert field(r"^sync: sem no-wait returned (-?\d+)$", out) == (-16,)  # -EBUSY
    ret, us = field(r"^sync: sem timeout returned (-?\d+) after (\d+) us \(timeout 50 ms\)$", out)
    assert ret == -11 and 50000 <= us < 50000 + MAX_LATE_US, out  # -EAGAIN
    ret, us = field(r"^sync: mutex timeout returned (-?\d+) after (\d+) us \(timeout 50 ms\)$",
                    out)
    assert ret == -11 and 50000 <= us < 50000 + MAX_LATE_US, out
    # Priority inheritance: the holder runs at the shell thread's priority while that waits, and
    # drops back once it gives up.
    lent, waiter, after, base = field(r"^sync: holder priority (\d+) while waited on by "
                                      r"priority (\d+), (\d+) after the timeout \(base (\d+)\)$",
                                      out)
    assert lent == waiter < base == after == 10, out

    n, _, expected, cpus = field(r"^sync: timer (\d+) expiries in (\d+) us \(period 10 ms, "
                                 r"expected (\d+)\) on cpus (0x[0-9a-f]+)$", out)
    assert expected >= 19 and expected - 2 <= n <= expected, out
    assert bin(cpus).count("1") == 1, out  # on the CPU that started it
    avg, = field(r"^sync: timer average period (\d+) us$", out)
    assert 9000 <= avg <= 11000, out

    assert_no_leak(out, "sync")
    assert mem_used(zvm) == before


def test_heap_and_pages_under_concurrent_use(zvm):
    before = mem_used(zvm)
    out, _ = selftest(zvm, "heap")
    threads, allocs, pages = field(r"^heap: (\d+) threads, (\d+) allocations, (\d+) page blocks$",
                                   out)
    assert threads == 8 and allocs > 1000 and pages > 100, out
    assert field(r"^heap: (\d+) failed, (\d+) corrupted, (\d+) misaligned, (\d+) calloc",
                 out) == (0, 0, 0, 0)
    assert re.search(r"^heap: ok$", out, re.M), out
    assert_no_leak(out, "heap")
    assert mem_used(zvm) == before


def test_fault_needs_confirmation(zvm):
    out = run(zvm, "selftest fault 2")
    assert "--yes-crash" in out and "usage: selftest fault <cpu> --yes-crash" in out
    out = run(zvm, "selftest fault 9 --yes-crash")
    assert "error: no online cpu '9'" in out
    # Still alive.
    assert re.search(r"uptime \d+\.\d+ s", run(zvm, "kernel uptime"))


def test_kernel_state_intact_after_every_selftest(zvm):
    """Runs them all back to back: no thread is left behind and no memory leaks."""
    before = mem_used(zvm)
    t0 = field(r"uptime (\d+\.\d+) s", run(zvm, "kernel uptime"), float)[0]
    for args in ["smp", "sleep 20", "slice", "prio", "sync", "heap", "smp"]:
        selftest(zvm, args)
    t1 = field(r"uptime (\d+\.\d+) s", run(zvm, "kernel uptime"), float)[0]
    assert t1 > t0 + 1.5  # smp, slice and prio alone take 1.5 s of guest time
    assert mem_used(zvm) == before
    assert selftest_threads(zvm) == []
    threads = run(zvm, "kernel threads")
    for cpu in range(4):
        assert re.search(rf"^idle/{cpu}\s", threads, re.M), threads
    assert re.search(r"^main\s+1\s+running\s", threads, re.M), threads


def crash_cpu2(vm):
    """Boots vm, crashes CPU 2, and returns everything printed up to the panic's last line."""
    vm.boot()
    vm.send("selftest fault 2 --yes-crash\r")
    vm.child.expect_exact("system halted", timeout=60)
    return clean(vm.child.before) + "system halted"


def test_fault_on_cpu2_dumps_registers_and_halts(fresh_zvm):
    out = crash_cpu2(fresh_zvm())
    mpidr, addr = field(r"^fault: cpu 2 \(MPIDR (0x[0-9a-f]+)\) loading from (0x[0-9a-f]+)$",
                        out)
    assert "*** unexpected exception: synchronous exception in the hypervisor" in out
    # A data abort taken from EL2 itself (EC 0x25), at the address the thread loaded from.
    assert field(r"^ESR_EL2 0x[0-9a-f]{16} \(EC (0x[0-9a-f]+) ", out) == (0x25,)
    assert re.search(r"^ELR_EL2 0x[0-9a-f]{16}", out, re.M), out
    assert field(r"FAR_EL2 (0x[0-9a-f]{16})$", out) == (addr,)
    assert re.search(r"^SPSR_EL2 0x[0-9a-f]{16}", out, re.M), out
    for i in range(31):
        assert re.search(rf"(^|\s)x{i}\s+0x[0-9a-f]{{16}}", out, re.M), f"x{i}:\n{out}"
    # The panic names the CPU that crashed.
    assert field(r"\*\*\* ZVM PANIC on CPU with MPIDR (0x[0-9a-f]+):", out) == (mpidr,)
    assert mpidr & 0xff == 2
    assert re.search(r"^\*\*\* system halted$", out, re.M), out


def test_panic_stops_every_cpu(fresh_zvm):
    vm = fresh_zvm()
    crash_cpu2(vm)
    # selftest fault itself reports if its own CPU is still running 5 s later; the shell must
    # not answer either.
    vm.send("kernel uptime\r")
    with pytest.raises(pexpect.TIMEOUT):
        vm.child.expect([re.escape(PROMPT), r"selftest fault: FAIL"], timeout=10)


def stacks_in_use(zvm):
    out = run(zvm, "kernel mem")
    return field(r"^stacks: (\d+) guarded thread stacks in use \(peak (\d+), at most (\d+)\)$",
                 out)


def test_thread_stacks_are_guarded_and_given_back(zvm):
    """Every thread the kernel starts after boot runs on a guarded stack (main, vm-life, the
    selftest threads); they come back when the threads end."""
    in_use, peak, most = stacks_in_use(zvm)
    assert most == 512 and 2 <= in_use <= peak
    selftest(zvm, "smp")
    after, peak2, _ = stacks_in_use(zvm)
    assert after == in_use
    assert peak2 >= in_use + 4  # smp runs a thread per CPU at least


def test_stack_overflow_is_reported_as_such(fresh_zvm):
    vm = fresh_zvm()
    vm.boot()
    vm.send("selftest overflow 2 --yes-crash\r")
    vm.child.expect_exact("system halted", timeout=60)
    out = clean(vm.child.before)
    assert "overflow: cpu 2 recursing until the stack guard" in out
    assert "reached the end without a fault" not in out
    far, lo, hi = field(r"^\*\*\* stack overflow in thread overflow/2 on cpu 2: SP ran into the "
                        r"guard page below its stack \(FAR (0x[0-9a-f]+), stack (0x[0-9a-f]+)-"
                        r"(0x[0-9a-f]+)\)", out, lambda x: int(x, 16))
    assert hi - lo == 16 * 1024 and lo >> 47 == 1
    assert lo - 16 * 1024 <= far < lo  # in the guard right below the stack
    assert "*** unexpected exception: stack overflow" in out
    assert re.search(r"ZVM PANIC on CPU with MPIDR 0x[0-9a-f]+: stack overflow in thread "
                     r"overflow/2", out), out
