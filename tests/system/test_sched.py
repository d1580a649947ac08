"""VM scheduling (docs/scheduling.md): priorities, per-vCPU placement, over-commit, and the
one-line errors for bad options. Times are read from `zvm stat` (host CPU time per vCPU)."""
import re
import time

from qemu import Guest, create_vm

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
    for line, error in cases.items():
        out = zvm.run(line)
        assert error in out, (line, out)
        assert out.count("error:") == 1, out
    assert not re.search(r"^\d+\s", zvm.run("zvm info"), re.M)
