"""Guests on the other reference CPUs. On `max,pauth-impdef=on` guests see the CPU's features
minus those ZVM does not give them (SVE, SME, MTE, ...: zvm/id_regs.c) and use pointer
authentication with keys of their own; cortex-a53 runs the Linux guest as the A57 does."""
import re

import pytest

from qemu import Guest, Zvm, create_vm, run_pinned_pair

SHELL = "~ # "
MAX = "max,pauth-impdef=on"


@pytest.fixture(scope="module")
def zvm_max():
    vm = Zvm(cpu=MAX)
    vm.boot()
    yield vm
    vm.close()


@pytest.mark.parametrize("gtype", ["test-abort", "test-el0", "test-timer", "test-debug"])
def test_test_guests_pass_on_max(zvm_max, gtype):
    vm = create_vm(zvm_max, f"-t {gtype} -c 1 -m 64")
    zvm_max.run(f"zvm run -n {vm}")
    with Guest(zvm_max, vm) as g:
        m = g.expect(r"ZVMTEST DONE (\d+)/(\d+)\r", timeout=120)
        out = zvm_max.child.before
    assert not re.findall(r"ZVMTEST (\S+) FAIL (.*)", out), out
    assert m.group(1) == m.group(2)
    if gtype == "test-abort":
        assert "ZVMTEST sysreg_id_regs_view PASS" in out
    zvm_max.run(f"zvm delete -n {vm}")


def test_pauth_keys_and_fp_survive_preemption_on_max(zvm_max):
    """Two guests on one physical CPU, each holding its own pointer authentication keys and FP
    registers across the other's time slices."""
    for out in run_pinned_pair(zvm_max, "test-fp"):
        assert "FAIL" not in out, out
        assert "ZVMTEST fp_regs_vcpu0 PASS" in out
        assert "ZVMTEST pauth_keys_vcpu0 PASS" in out, out


def boot_linux(zvm, vcpus):
    vm = create_vm(zvm, f"-t linux -c {vcpus} -m 256")
    zvm.run(f"zvm run -n {vm}")
    return vm


def shell(zvm, line, timeout=60):
    zvm.send(line + "\r")
    zvm.expect(re.escape(SHELL), timeout=timeout)
    return zvm.child.before.replace("\r", "")


def test_linux_on_max_uses_pauth_and_sees_no_sve(zvm_max):
    vm = boot_linux(zvm_max, 2)
    with Guest(zvm_max, vm) as g:
        g.expect("ZVM-LINUX-INIT-OK", timeout=120)
        g.expect(re.escape(SHELL))
        features = shell(zvm_max, "grep -m1 Features /proc/cpuinfo")
        flags = set(re.search(r"Features\s*:\s*(.*)", features).group(1).split())
        assert {"paca", "pacg", "bti"} <= flags, features
        assert not flags & {"sve", "sve2", "sme", "mte"}, features
        # User space runs with PAC: many short processes, on both vCPUs.
        out = shell(zvm_max, "for i in $(seq 200); do cat /proc/version >/dev/null; done; "
                    "echo LOOP-$((6*7))", timeout=120)
        assert "LOOP-42" in out, out
        assert "Oops" not in out and "ptrauth" not in out.lower(), out
        g.send("poweroff -f\r")
        g.expect(rf"vm{vm} \(\S+\) powered off", timeout=60)
    zvm_max.run(f"zvm delete -n {vm}")


def test_linux_on_cortex_a53(fresh_zvm):
    zvm = fresh_zvm(cpu="cortex-a53")
    zvm.boot()
    vm = boot_linux(zvm, 2)
    with Guest(zvm, vm) as g:
        g.expect("ZVM-LINUX-INIT-OK", timeout=120)
        g.expect(re.escape(SHELL))
        assert "0xd03" in shell(zvm, "grep -m1 'CPU part' /proc/cpuinfo")  # Cortex-A53
        assert shell(zvm, "grep -c ^processor /proc/cpuinfo").split()[-1] == "2"
