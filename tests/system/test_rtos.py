"""The RTOS image (build/rtos/rtos.bin: the kernel built for EL1) natively at EL1, as `make
run-rtos` boots it, and the same image as a VM under ZVM with 1 and 4 vCPUs."""
import re

import pytest

from qemu import RTOS_PROMPT, Guest, Zvm, clean, create_vm, mem_used

SELFTESTS = ["smp", "sync", "sleep 50", "prio", "slice", "heap"]
# As in test_kernel.py: a "FAIL timing: ..." verdict is a lateness bound that a loaded host can
# break (more so for a vCPU thread), so it is retried; any other failure fails at once.
TIMING_ATTEMPTS = 3


def native(smp=4, virtualization=False):
    return Zvm(kernel="rtos/rtos.bin", prompt=RTOS_PROMPT, images=False, smp=smp, mem="512M",
               virtualization=virtualization)


@pytest.fixture(scope="module")
def rtos():
    vm = native()
    vm.boot_log = vm.boot()
    yield vm
    vm.close()


def online_cpus(text):
    return re.findall(r"^(\d+)\s+0x[0-9a-f]+\s+online$", text, re.M)


def test_native_boot_at_el1_with_every_cpu(rtos):
    assert "ZVM RTOS" in rtos.boot_log
    assert re.search(r"ZVM RTOS: 4 CPUs online", rtos.boot_log)
    assert "psci: PSCI" in rtos.boot_log and "via hvc" in rtos.boot_log
    assert online_cpus(rtos.run("kernel cpus")) == ["0", "1", "2", "3"]


def test_native_has_no_vm_manager(rtos):
    assert "unknown command 'zvm'" in rtos.run("zvm info")


def selftest(vm, args, timeout=300):
    """Types `selftest ARGS` at the RTOS prompt (native, or a guest attached with zvm look)
    until it passes; returns its output."""
    name = args.split()[0]
    for _ in range(TIMING_ATTEMPTS):
        vm.send(f"selftest {args}\r")
        m = vm.expect(rf"selftest {name}: (PASS|FAIL ([^\r\n]*))", timeout=timeout)
        out = vm.child.before + vm.child.after
        vm.expect(RTOS_PROMPT, timeout=30)
        if m.group(1) == "PASS":
            return out
        assert m.group(2).startswith("timing:"), out
    pytest.fail(f"selftest {args}: timing failure {TIMING_ATTEMPTS} times in a row:\n{out}")


@pytest.mark.parametrize("name", SELFTESTS)
def test_native_selftest_passes(rtos, name):
    selftest(rtos, name)


def test_rtos_image_entered_at_el2_refuses_cleanly(fresh_zvm):
    vm = fresh_zvm(kernel="rtos/rtos.bin", prompt=RTOS_PROMPT, images=False, smp=1, mem="512M")
    vm.expect(r"must be entered at EL1 but was entered at EL2", timeout=30)


def test_boot_commands_run_before_the_prompt(fresh_zvm):
    """`shell.run=` in the bootargs (how make bench drives the RTOS under Xen, whose console
    takes no input there): each command runs as if typed, errors included, then the shell
    takes input as usual."""
    vm = fresh_zvm(kernel="rtos/rtos.bin", prompt=RTOS_PROMPT, images=False, smp=1,
                   mem="512M", virtualization=False,
                   extra=("-append", "quiet shell.run=version;kernel bogus;kernel cpus"))
    vm.expect(r"(?s)zvm_rtos:~# version\s+.*ZVM.*zvm_rtos:~# kernel bogus\s+.*"
              r"error: unknown subcommand .kernel bogus.*zvm_rtos:~# kernel cpus\s+.*0\s+0x0+\s+online", timeout=60)
    vm.wait_prompt()
    assert "online" in vm.run("kernel cpus")


def parse_latency(out):
    """{min, avg, max: (ns, ticks)}, overruns and histogram counts of a `latency` run; checks
    the figures agree with each other."""
    out = out.replace("\r", "")
    rows = {m.group(1): (int(m.group(2)), int(m.group(3)))
            for m in re.finditer(r"^(min|avg|max)\s+(\d+) ns\s+(\d+) ticks$", out, re.M)}
    assert set(rows) == {"min", "avg", "max"}, out
    n = int(re.search(r"^latency: (\d+) samples", out, re.M).group(1))
    hz = int(re.search(r"counter (\d+) Hz", out, re.M).group(1))
    overruns = int(re.search(r"^overruns (\d+)$", out, re.M).group(1))
    hist = [int(c) for c in re.findall(r"^\s+(?:\d+ - \d+|>= \d+)\s+(\d+)$", out, re.M)]
    assert sum(hist) == n, out
    assert rows["min"][1] <= rows["avg"][1] <= rows["max"][1], out
    # An early wake-up would wrap around to ~2^64 ticks: lateness stays far below 10 s.
    assert rows["max"][0] < 10 * 10**9, out
    for ns, ticks in rows.values():
        assert ns == ticks * 10**9 // hz, out
    # Every sample lies in the buckets between min's and max's.
    assert hist[-1] > 0, out
    return rows, overruns


def test_native_latency(rtos):
    out = rtos.run("latency -n 1000 -p 500 -c 1", timeout=120)
    rows, overruns = parse_latency(out)
    # Under QEMU (no icount) a wake-up can be late by host scheduling, but never early, and
    # not all of 1000 wake-ups can be lost.
    assert rows["min"][0] > 0
    assert overruns < 1000


def test_latency_bad_options(rtos):
    assert "-c wants a number from 0 to 3, got '4'" in rtos.run("latency -c 4")
    assert "-p wants a number from 50 to 1000000, got '10'" in rtos.run("latency -p 10")
    assert "-n wants a number from 1 to 10000000, got 'x'" in rtos.run("latency -n x")
    assert "unknown option '-q'" in rtos.run("latency -q 1")
    assert "-l wants CPUs from 0 to 3, like 1,2; got '5'" in rtos.run("latency -l 5")


def test_native_latency_under_load(rtos):
    """-l: spinning threads on other CPUs for the run's length, gone afterwards."""
    out = rtos.run("latency -n 200 -p 500 -c 1 -l 2,3", timeout=120)
    assert "load on cpus 0xc" in out, out
    parse_latency(out)
    assert "lat-load" not in rtos.run("kernel threads")


def guest_run(zvm, line, done, timeout=120):
    """Types a line into the attached guest and waits for `done` (a regex); returns the text."""
    zvm.send(line + "\r")
    zvm.expect(done, timeout=timeout)
    return zvm.child.before + zvm.child.after


@pytest.mark.parametrize("vcpus", [1, 4])
def test_rtos_vm_boots_and_passes_selftests(zvm, vcpus):
    before = mem_used(zvm)
    vm = create_vm(zvm, f"-t rtos -c {vcpus} -m 64")
    assert re.search(rf"vm {vm} running", zvm.run(f"zvm run -n {vm}"))
    with Guest(zvm, vm) as g:
        g.expect(rf"ZVM RTOS: {vcpus} CPUs? online", timeout=60)
        g.expect(RTOS_PROMPT, timeout=30)
        out = guest_run(zvm, "kernel cpus", RTOS_PROMPT)
        assert online_cpus(out.replace("\r", "")) == [str(i) for i in range(vcpus)], out
        for name in ["smp", "sync", "sleep 50"]:
            selftest(zvm, name)
        out = guest_run(zvm, f"latency -n 300 -c {vcpus - 1}", RTOS_PROMPT)
        parse_latency(clean(out))
    # Detached (Ctrl+X): the host shell answers, and the guest keeps running.
    assert re.search(rf"^{vm}\s+\S+\s+rtos\s+{vcpus}\s+64\s+running", zvm.run("zvm info"), re.M)
    assert "deleted" in zvm.run(f"zvm delete -n {vm}")
    assert mem_used(zvm) == before
