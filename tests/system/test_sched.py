"""VM scheduling (docs/scheduling.md): priorities, per-vCPU placement, over-commit, and the
one-line errors for bad options. Times are read from `zvm stat` (host CPU time per vCPU)."""
import re
import time

from qemu import Guest, create_vm, wait_vm_state

STAT_ROW = re.compile(r"^(\d+)\s+(on|off)\s+(\S+)\s+(-?\d+)\s+(\S+)\s+(\d+)\s+(\d+)\s", re.M)


def stat(zvm, vm):
    """{vcpu: (state, cpu, pin, prio, time_ms)} from `zvm stat`."""
    out = zvm.run(f"zvm stat {vm}")
    assert re.search(r"^VCPU\s+POWER\s+STATE\s+CPU\s+PIN\s+PRIO\s+TIME\(ms\)", out, re.M), out
    return {int(m[1]): (m[3], int(m[4]), m[5], int(m[6]), int(m[7])) for m in STAT_ROW.finditer(out)}


def test_priority_default_by_type_and_set(zvm):
    spin = create_vm(zvm, "-t test-spin -m 32")
    hello = create_vm(zvm, "-t hello -m 32")
    urgent = create_vm(zvm, "-t hello -m 32 --prio 5 -n urgent")
    assert stat(zvm, spin)[0][3] == 16  # `test-spin prio 16` in configs/guests.conf
    assert stat(zvm, hello)[0][3] == 10  # no prio line: the default
    assert stat(zvm, urgent)[0][3] == 5
    threads = zvm.run("kernel threads")
    assert re.search(rf"^vm{urgent}/vcpu0\s+5\s", threads, re.M), threads
    for vm in (spin, hello, urgent):
        zvm.run(f"zvm delete -n {vm}")


def test_per_vcpu_pinning(zvm):
    vm = create_vm(zvm, "-t hello -c 3 -m 32 -p 1,3,2+3")
    s = stat(zvm, vm)
    assert [s[i][2] for i in range(3)] == ["1", "3", "2+3"], s
    zvm.run(f"zvm run -n {vm}")
    time.sleep(1)
    threads = zvm.run("kernel threads")
    # vCPU 0 is on; the others stay off (hello starts no secondaries) but their threads run
    # only on their own CPU.
    assert re.search(rf"^vm{vm}/vcpu0\s+\d+\s+\S+\s+1\s", threads, re.M), threads
    assert stat(zvm, vm)[0][1] == 1
    one = create_vm(zvm, "-t hello -c 2 -m 32 -p 2")
    assert [stat(zvm, one)[i][2] for i in range(2)] == ["2", "2"]
    anyw = create_vm(zvm, "-t hello -m 32")
    assert stat(zvm, anyw)[0][2] == "any"
    for v in (vm, one, anyw):
        zvm.run(f"zvm delete -n {v}")


def test_eight_vcpus_overcommitted_on_four_cpus_all_progress(zvm):
    vm = create_vm(zvm, "-t test-spin -c 8 -m 32")
    zvm.run(f"zvm run -n {vm}")
    time.sleep(3)
    first = stat(zvm, vm)
    time.sleep(3)
    second = stat(zvm, vm)
    with Guest(zvm, vm):
        zvm.expect(r"spin \d+:[ \d]+\r")
        console = zvm.child.before + zvm.child.after
    zvm.run(f"zvm delete -n {vm}")
    assert "spin: 8 vCPUs spinning" in console, console
    assert len(second) == 8
    for i in range(8):
        # Every vCPU got CPU time in the second interval: none starves behind the others.
        assert second[i][4] > first[i][4] > 0, (i, first, second)


def test_bad_scheduling_options_get_one_line_errors(zvm):
    cases = {
        "zvm new -t hello --prio 1": "error: bad priority '1' (2-29, lower runs first)",
        "zvm new -t hello --prio 30": "error: bad priority '30' (2-29, lower runs first)",
        "zvm new -t hello --prio x": "error: bad priority 'x' (2-29, lower runs first)",
        "zvm new -t hello --prio": "error: --prio needs a value (2-29, lower runs first)",
        "zvm new -t hello -c 2 -p 1,": "error: bad CPU list '1,' (CPUs 0-3)",
        "zvm new -t hello -c 3 -p 1+2,3": "error: bad CPU list '1+2,3' (CPUs 0-3)",
        "zvm new -t hello -c 2 -p 1,4": "error: bad CPU list '1,4' (CPUs 0-3)",
    }
    assert_one_line_errors(zvm, cases)


def assert_one_line_errors(zvm, cases):
    """Each command line answers with its error, in one line."""
    for line, error in cases.items():
        out = zvm.run(line)
        assert error in out, (line, out)
        assert len(out.strip().splitlines()) == 1, (line, out)
        assert out.count("error:") == 1, out
    assert not re.search(r"^\d+\s", zvm.run("zvm info"), re.M)


def spin_share(zvm, urgent_opts):
    """Two spinning VMs on CPU 1: an urgent one (priority 5, urgent_opts) and a lower one
    (priority 20). Returns the CPU ms each got over 4 s of spinning, and the urgent one's
    `zvm stat` output."""
    hi = create_vm(zvm, f"-t test-spin -m 32 -p 1 --prio 5 {urgent_opts}")
    lo = create_vm(zvm, "-t test-spin -m 32 -p 1 --prio 20")
    zvm.run(f"zvm run -n {lo}")
    zvm.run(f"zvm run -n {hi}")
    time.sleep(1)
    a_hi, a_lo = stat(zvm, hi)[0][4], stat(zvm, lo)[0][4]
    time.sleep(4)
    b_hi, b_lo = stat(zvm, hi)[0][4], stat(zvm, lo)[0][4]
    out = zvm.run(f"zvm stat {hi}")
    for vm in (hi, lo):
        zvm.run(f"zvm delete -n {vm}")
    return b_hi - a_hi, b_lo - a_lo, out


def test_without_a_budget_a_spinning_urgent_vm_starves_a_lower_one(zvm):
    hi, lo, _ = spin_share(zvm, "")
    assert hi > 0 and lo < 0.05 * (hi + lo), (hi, lo)


def test_a_budget_leaves_the_rest_of_the_cpu_to_a_lower_vm(zvm):
    # 20 ms in every 100: the urgent VM gets about a fifth of CPU 1, the lower one the rest.
    hi, lo, out = spin_share(zvm, "--budget 20/100")
    share = hi / (hi + lo)
    assert 0.12 < share < 0.30, (hi, lo, out)
    m = re.search(r"^budget 20\.0/100 ms for 1 vCPU and 1 device worker: \d+ us used this "
                  r"period, \S+( now)?, "
                  r"throttled (\d+) times", out, re.M)
    assert m and int(m[2]) >= 30, out  # once a period, 50 periods in 5 s
    assert re.search(r"^0\s+on\s+(throttled|running|ready)\s", out, re.M), out


def uptime_ms(zvm):
    m = re.search(r"uptime (\d+)\.(\d{3}) s", zvm.run("kernel uptime"))
    return int(m[1]) * 1000 + int(m[2])


def test_a_budget_is_shared_by_the_vms_vcpus(zvm):
    # Two spinning vCPUs on CPUs 2 and 3 with 100 ms in every 500 between them: together about
    # a fifth of one CPU. (Charging only the vCPU whose timer fired let each run its own
    # 100 ms: twice the budget, 40%.)
    vm = create_vm(zvm, "-t test-spin -c 2 -m 32 -p 2,3 --budget 100/500")
    zvm.run(f"zvm run -n {vm}")
    time.sleep(1)
    a, t0 = stat(zvm, vm), uptime_ms(zvm)
    time.sleep(5)
    b, t1 = stat(zvm, vm), uptime_ms(zvm)
    share = sum(b[i][4] - a[i][4] for i in (0, 1)) / (t1 - t0)
    zvm.run(f"zvm delete -n {vm}")
    assert 0.12 < share < 0.30, (share, a, b)


def wait_vcpu_state(zvm, vm, want, timeout):
    deadline = time.monotonic() + timeout
    while True:
        got = stat(zvm, vm)[0][0]
        if got == want or time.monotonic() > deadline:
            return got
        time.sleep(0.2)


def test_a_throttled_vm_pauses_and_resets_at_once(zvm):
    # 1 ms in every 10 s: a spinning VM is throttled almost all the time. Pause and reset need
    # its vCPU thread to run to where it parks; they must not wait for the refill (before the
    # fix both took up to the rest of the period, and a reset held up every other VM's).
    vm = create_vm(zvm, "-t test-spin -m 32 -p 1 --budget 1/10000")
    zvm.run(f"zvm run -n {vm}")
    assert wait_vcpu_state(zvm, vm, "throttled", 5) == "throttled"
    zvm.run(f"zvm pause -n {vm}")
    assert wait_vcpu_state(zvm, vm, "pending", 3) == "pending"  # parked
    zvm.run(f"zvm run -n {vm}")
    assert wait_vcpu_state(zvm, vm, "throttled", 3) == "throttled"  # budget still used up
    assert f"vm {vm} resetting" in zvm.run(f"zvm reset -n {vm}")
    wait_vm_state(zvm, vm, "running", timeout=5)
    # Still in the same period: throttled again at once, and only the one throttle counted
    # (a reset that waited for the refill would see the guest run out a second time).
    assert wait_vcpu_state(zvm, vm, "throttled", 3) == "throttled"
    out = zvm.run(f"zvm stat {vm}")
    assert re.search(r"throttled now, throttled 1 times", out), out
    zvm.run(f"zvm delete -n {vm}")


def test_budget_options_and_errors(zvm):
    cases = {
        "zvm new -t hello --budget 20": "error: bad budget '20'",
        "zvm new -t hello --budget 120/100": "error: bad budget '120/100'",
        "zvm new -t hello --budget 0.05/100": "error: bad budget '0.05/100'",
        "zvm new -t hello --budget 5/20000": "error: bad budget '5/20000'",
        "zvm new -t hello --budget": "error: bad budget ''",
    }
    assert_one_line_errors(zvm, cases)
    for line in cases:
        assert "B/P in ms" in zvm.run(line)
    vm = create_vm(zvm, "-t hello -m 32 --budget 2.5/10")
    # The VM's device work (virtio-console's worker) counts as the VM's CPU time.
    assert "budget 2.5/10 ms for 1 vCPU and 1 device worker" in zvm.run(f"zvm stat {vm}")
    zvm.run(f"zvm delete -n {vm}")
    vm = create_vm(zvm, "-t hello -c 2 -m 32 --budget 2.5/10 --dev virtio-rng")
    assert "budget 2.5/10 ms for 2 vCPUs and 2 device workers" in zvm.run(f"zvm stat {vm}")
    zvm.run(f"zvm delete -n {vm}")


def sched_counts(out):
    acq = int(re.search(r"^\s+acquisitions\s+(\d+)$", out, re.M)[1])
    cont = int(re.search(r"^\s+contended\s+(\d+) \(\d+\.\d%\)$", out, re.M)[1])
    for what in ("longest wait", "average wait", "longest hold", "average hold"):
        assert re.search(rf"^\s+{what}\s+\d+ ns$", out, re.M), out
    return acq, cont


def test_scheduler_lock_contention_is_counted(zvm):
    vm = create_vm(zvm, "-t test-spin -c 4 -m 32")
    zvm.run(f"zvm run -n {vm}")
    assert "not counted" in zvm.run("kernel sched")
    assert "counting on, from zero" in zvm.run("kernel sched on")
    time.sleep(2)
    acq, cont = sched_counts(zvm.run("kernel sched"))
    # Four spinning vCPUs take time slices on four CPUs: hundreds of switches in 2 s.
    assert acq > 100 and 0 <= cont <= acq, (acq, cont)
    zvm.run(f"zvm delete -n {vm}")
    zvm.run("kernel sched on")
    acq2, _ = sched_counts(zvm.run("kernel sched"))
    assert acq2 < acq
    assert "counting off" in zvm.run("kernel sched off")
    assert "not counted" in zvm.run("kernel sched")
    assert "usage: kernel sched [on|off]" in zvm.run("kernel sched now")
