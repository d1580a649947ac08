"""Boot-time VMs declared in the board DT's /chosen (docs/boot-vms.md), and `make run-demo`."""
import os
import re
import subprocess

import pytest

from qemu import ROOT, RTOS_PROMPT, Guest, Zvm
from test_rtos import selftest
from test_shm import guest_output, region_line

HERE = os.path.dirname(os.path.abspath(__file__))
TEST_VMS = os.path.join(HERE, "vms", "boot.vms.dtsi")
DEMO_VMS = os.path.join(ROOT, "configs", "demo.vms.dtsi")
MIXED_VMS = os.path.join(HERE, "vms", "mixed.vms.dtsi")
DEVICES_VMS = os.path.join(HERE, "vms", "devices.vms.dtsi")
SHM_VMS = os.path.join(HERE, "vms", "shm.vms.dtsi")


@pytest.fixture(scope="module")
def booted():
    """ZVM on a board with tests/system/vms/boot.vms.dtsi; (machine, boot output)."""
    zvm = Zvm(vms=TEST_VMS)
    out = zvm.boot()
    yield zvm, out
    zvm.close()


def vm_row(info, name):
    m = re.search(rf"^(\d+)\s+{name}\s+(\S+)\s+(\d+)\s+(\d+)\s+(\S+)$", info, re.M)
    assert m, info
    return m.groups()  # id, type, vcpus, MiB, state


def thread_row(threads, name):
    """(priority, CPU) of a thread in `kernel threads`."""
    m = re.search(rf"^{re.escape(name)}\s+(\d+)\s+\S+\s+(\d+)\s", threads, re.M)
    assert m, threads
    return int(m.group(1)), int(m.group(2))


def thread_cpu(threads, name):
    return thread_row(threads, name)[1]


def test_boot_output_before_the_prompt(booted):
    _, out = booted
    assert re.search(r"boot VM auto1: vm 0, hello, 1 vCPU\(s\), 64 MiB, running", out), out
    assert re.search(r"boot VM second: vm 1, hello, 2 vCPU\(s\), 32 MiB, running", out), out
    assert re.search(r"boot VM waiting: vm 2, hello, 1 vCPU\(s\), 16 MiB, created", out), out
    # Bad nodes: one line each saying why, and the boot goes on.
    assert "boot VM /chosen/toomany: zvm,vcpus is 99, must be 1 to 8; skipped" in out, out
    assert "unknown guest type 'no-such-type'" in out, out
    assert "boot VM /chosen/notype: not created; skipped" in out, out
    assert "a VM named 'auto1' exists already" in out, out
    assert "boot VM /chosen/dup: not created; skipped" in out, out
    assert "module" not in out  # other /chosen children are not VMs


def test_autostart_vms_run_and_others_wait(booted):
    zvm, _ = booted
    info = zvm.run("zvm info")
    assert vm_row(info, "auto1") == ("0", "hello", "1", "64", "running")
    assert vm_row(info, "second") == ("1", "hello", "2", "32", "running")
    assert vm_row(info, "waiting") == ("2", "hello", "1", "16", "created")
    assert len(re.findall(r"^\d+\s", info, re.M)) == 3, info
    for name in ("auto1", "second"):
        with Guest(zvm, name) as g:
            g.expect(r"ZVM guest hello from vCPU 0")
            g.expect(r"hello tick \d+", timeout=30)


def test_vcpus_on_their_cpus(booted):
    """zvm,cpus = <3 2>: vCPU0 on CPU 3, vCPU1 on CPU 2 (each pinned to its own CPU)."""
    zvm, _ = booted
    with Guest(zvm, "second") as g:
        g.expect(r"hello tick \d+", timeout=30)  # both vCPUs have run by now
    threads = zvm.run("kernel threads")
    assert thread_cpu(threads, "vm0/vcpu0") == 1
    assert thread_cpu(threads, "vm1/vcpu0") == 3
    assert thread_cpu(threads, "vm1/vcpu1") == 2


def test_priorities(booted):
    """zvm,priority = <7> for auto1; the others get their guest type's default (10)."""
    zvm, _ = booted
    threads = zvm.run("kernel threads")
    assert thread_row(threads, "vm0/vcpu0")[0] == 7
    assert thread_row(threads, "vm1/vcpu0")[0] == 10
    assert thread_row(threads, "vm1/vcpu1")[0] == 10


def test_created_vm_starts_with_zvm_run(booted):
    zvm, _ = booted
    assert "state created, on-crash reset" in zvm.run("zvm info -n waiting")
    assert "on-crash stay" in zvm.run("zvm info -n auto1")
    assert "vm 2 running" in zvm.run("zvm run -n waiting")
    with Guest(zvm, "waiting") as g:
        g.expect(r"hello tick \d+", timeout=30)
    assert vm_row(zvm.run("zvm info"), "waiting")[4] == "running"


def test_bad_fragment_is_refused_by_board_dtb(tmp_path):
    frag = tmp_path / "bad.vms.dtsi"
    frag.write_text("vm {\n\tcompatible = \"zvm,vm\";\n\tzvm,vcpus = <1;\n};\n")
    r = subprocess.run([os.path.join(ROOT, "scripts", "board-dtb.py"), "--vms", str(frag),
                        "--out", str(tmp_path / "board")], capture_output=True, text=True)
    assert r.returncode == 1
    assert "syntax error" in r.stderr, r.stderr


def test_make_run_demo_uses_the_demo_board():
    # -W: as if the fragment had changed, so the board command shows even when it is built.
    r = subprocess.run(["make", "-n", "-W", "configs/demo.vms.dtsi", "run-demo"], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "--vms configs/demo.vms.dtsi" in r.stdout
    assert "build/board/demo-cortex-a57-smp4-2G/qemu.args" in r.stdout


def test_demo_board_runs_both_vms(fresh_zvm):
    """`make run-demo`'s board: the RTOS and Linux VMs run at the prompt, each on its CPUs,
    each reachable with `zvm look`; the RTOS works in its 64 MiB."""
    zvm = fresh_zvm(vms=DEMO_VMS)
    out = zvm.boot()
    assert re.search(r"boot VM rtos: vm 0, rtos, 1 vCPU\(s\), 64 MiB, running", out), out
    assert re.search(r"boot VM linux: vm 1, linux, 2 vCPU\(s\), 512 MiB, running", out), out
    info = zvm.run("zvm info")
    assert vm_row(info, "rtos")[1:] == ("rtos", "1", "64", "running")
    assert vm_row(info, "linux")[1:] == ("linux", "2", "512", "running")
    assert "on-crash reset" in zvm.run("zvm info -n rtos")
    with Guest(zvm, "linux") as g:
        g.expect("ZVM-LINUX-INIT-OK", timeout=120)
        g.send("grep -c ^processor /proc/cpuinfo\r")
        g.expect(r"\n2\r")
    with Guest(zvm, "rtos") as g:
        g.expect(r"ZVM RTOS: 1 CPUs online", timeout=60)  # the replayed boot log, or live
        g.expect(RTOS_PROMPT)
        g.send("kernel mem\r")
        m = g.expect(r"pages\s+(\d+) KiB\s+(\d+) KiB", timeout=30)
        assert int(m.group(1)) == 64 * 1024, m.group(0)  # it has its 64 MiB, and uses it
        g.expect(RTOS_PROMPT)
        g.send("selftest heap\r")
        g.expect(r"selftest heap: PASS", timeout=120)
        g.expect(RTOS_PROMPT)
    threads = zvm.run("kernel threads")
    assert thread_row(threads, "vm0/vcpu0") == (4, 1)
    assert thread_row(threads, "vm1/vcpu0") == (12, 2)
    assert thread_row(threads, "vm1/vcpu1") == (12, 3)


def test_two_rtos_vms_and_linux_on_four_cpus(fresh_zvm):
    """tests/system/vms/mixed.vms.dtsi: both RTOS VMs pass their SMP and sleep selftests while
    Linux boots beside them, and all three are still running afterwards."""
    zvm = fresh_zvm(vms=MIXED_VMS)
    zvm.boot()
    with Guest(zvm, "linux") as g:
        g.expect("ZVM-LINUX-INIT-OK", timeout=120)
        g.send("grep -c ^processor /proc/cpuinfo\r")
        g.expect(r"\n2\r")
    for name, vcpus in (("rt1", 2), ("rt2", 1)):
        with Guest(zvm, name) as g:
            g.expect(rf"ZVM RTOS: {vcpus} CPUs? online", timeout=60)
            g.expect(RTOS_PROMPT)
            for test in ("smp", "sleep 50"):
                selftest(zvm, test)
    info = zvm.run("zvm info")
    assert vm_row(info, "rt1")[1:] == ("rtos", "2", "64", "running")
    assert vm_row(info, "rt2")[1:] == ("rtos", "1", "64", "running")
    assert vm_row(info, "linux")[1:] == ("linux", "2", "512", "running")
    threads = zvm.run("kernel threads")
    assert [thread_row(threads, f"vm{v}") for v in ("0/vcpu0", "0/vcpu1", "1/vcpu0",
                                                   "2/vcpu0", "2/vcpu1")] == \
        [(4, 0), (4, 1), (4, 2), (12, 3), (12, 2)]


def test_boot_vm_devices_disk_and_memory_mode(fresh_zvm):
    """zvm,devices, zvm,disk and zvm,memory-mode reach the VM as `zvm new`'s --dev, --disk and
    --mem do; a disk the host lacks is reported as `zvm new` reports it and the node skipped."""
    zvm = fresh_zvm(vms=DEVICES_VMS)
    out = zvm.boot()
    assert re.search(r"boot VM withdev: vm 0, hello, 1 vCPU\(s\), 16 MiB, running", out), out
    assert "error: no host disk 'vdz' (see 'kernel blk')" in out, out
    assert "boot VM /chosen/nodisk: not created; skipped" in out, out
    info = zvm.run("zvm info -n withdev")
    assert re.search(r"disk: vda sectors 64-95 \(read-only\)", info), info
    assert re.search(r"^  virtio-net: virtio-mmio at", info, re.M), info
    assert re.search(r"^  virtio-rng: virtio-mmio at", info, re.M), info
    assert re.search(r"^memory: 16 MiB dynamic:", info, re.M), info
    # The claim is the VM's: another VM cannot write those sectors.
    out = zvm.run("zvm new -t hello -m 16 --disk vda@64+1")
    assert "belong to vm 0" in out, out


def test_boot_vms_share_a_region(fresh_zvm):
    """zvm,shm maps a region as `zvm new --shm` does: two boot-time test guests, each with the
    region at its own IPA, exchange checksummed messages through it and the doorbell; a node
    with a bad spec is reported with the reason and skipped."""
    zvm = fresh_zvm(vms=SHM_VMS)
    out = zvm.boot()
    assert re.search(r"boot VM shma: vm 0, test-shm, 1 vCPU\(s\), 32 MiB, running", out), out
    assert re.search(r"boot VM shmb: vm 1, test-shm, 1 vCPU\(s\), 32 MiB, running", out), out
    assert ('boot VM /chosen/badshm: zvm,shm "ring:15@0x20000000": bad size: a multiple of '
            "4 KiB, at most 65536 KiB; skipped") in out, out
    assert "badshm" not in zvm.run("zvm info")
    region_line(zvm, "shma", 0x20000000, "rw", 2)
    region_line(zvm, "shmb", 0x30000000, "rw", 2)
    out = guest_output(zvm, "shma")
    assert "ZVMTEST shm_exchange PASS" in out and "ZVMTEST DONE 2/2" in out, out
    out = guest_output(zvm, "shmb", timeout=60)
    assert "ZVMTEST shm_respond PASS" in out and "ZVMTEST DONE 1/1" in out, out
