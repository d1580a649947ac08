"""Boots ZVM under QEMU and talks to its shell through pexpect."""
import itertools
import os
import re
import time

import pexpect

import board

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build")
PROMPT = "zvm_host:~# "
RTOS_PROMPT = "zvm_rtos:~# "
UBOOT_BIN = "/usr/lib/u-boot/qemu_arm64/u-boot.bin"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


# The host disk (drivers/virtio_blk.c), as `make run` attaches it; modern virtio-mmio.
HOST_DISK = os.path.join(BUILD, "disk", "host.img")


def host_disk_args(path):
    """QEMU arguments attaching the raw image at path (created, 16 MiB, if missing) as a
    virtio-blk disk. No image locking: tests booting several QEMUs share build/disk/host.img
    and only test_host_blk.py writes, to an image of its own."""
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.truncate(16 << 20)
    return ["-global", "virtio-mmio.force-legacy=false",
            "-drive", f"if=none,file={path},format=raw,id=hostdisk,file.locking=off",
            "-device", "virtio-blk-device,drive=hostdisk"]


def qemu_command(cpu="cortex-a57", smp=4, mem="2G", virtualization=True, images=True, extra=(),
                 vms=None, kernel="zvm.bin", board_machine=None, disk=HOST_DISK, uboot_disk=None,
                 gic=None):
    """The QEMU command line; with `images`, the guest images and the board DTB that
    describes them (configs/guests.conf) come along, as with `make run`. `vms`: a .dtsi
    fragment of boot-time VMs for the board's /chosen (docs/boot-vms.md). `kernel` is relative
    to build/ (rtos/rtos.bin: the RTOS natively, as `make run-rtos`). `board_machine`: dump the
    board DTB from another machine than the one booted (a board that lacks something).
    `disk`: the raw image attached as the host disk, None for none. `uboot_disk`: boot through
    U-Boot from that disk (scripts/uboot-disk.py, `make run-uboot`) instead of -kernel; the disk
    then holds the images and the DTB. `gic`: the GIC version (2 or 3), default ZVM_GIC or 3."""
    gic = gic or board.GIC
    machine = board.machine_for(gic) if virtualization else f"virt,gic-version={gic}"
    loads = ()
    if images:
        loads = board.image_args(cpu=cpu, smp=smp, mem=mem, machine=board_machine or machine,
                                 vms=vms)
    if uboot_disk:
        return ["qemu-system-aarch64", "-M", machine, "-cpu", cpu, "-smp", str(smp), "-m", mem,
                "-nographic", "-bios", UBOOT_BIN, "-drive",
                f"if=none,file={uboot_disk},format=raw,id=d0", "-device",
                "virtio-blk-device,drive=d0", *extra]
    return ["qemu-system-aarch64", "-M", machine, "-cpu", cpu, "-smp", str(smp), "-m", mem,
            "-nographic", "-kernel", os.path.join(BUILD, kernel), *loads,
            *(host_disk_args(disk) if disk else ()), *extra]


class Zvm:
    """One running QEMU with ZVM inside; `run()` types a command and returns its output."""

    def __init__(self, boot_timeout=30, prompt=PROMPT, **kw):
        cmd = qemu_command(**kw)
        self.prompt = prompt
        self.started = time.monotonic()
        self.child = pexpect.spawn(cmd[0], cmd[1:], encoding="utf-8", codec_errors="replace",
                                   timeout=boot_timeout, echo=False)
        self.log = []

    def wait_prompt(self, timeout=30):
        self.child.expect_exact(self.prompt, timeout=timeout)
        return clean(self.child.before)

    def boot(self, timeout=30):
        out = self.wait_prompt(timeout)
        self.boot_seconds = time.monotonic() - self.started
        return out

    def send(self, text):
        self.child.send(text)

    def run(self, line, timeout=30):
        """Types line + Enter and returns what it printed before the next prompt."""
        self.child.send(line + "\r")
        out = self.wait_prompt(timeout)
        # The shell echoes the line itself first.
        first, _, rest = out.partition("\n")
        return rest if line.strip() in first else out

    def expect(self, pattern, timeout=30):
        self.child.expect(pattern, timeout=timeout)
        return self.child.match

    def exit_status(self, timeout=30):
        self.child.expect(pexpect.EOF, timeout=timeout)
        self.child.close()
        return self.child.exitstatus

    def close(self):
        if self.child.isalive():
            self.child.terminate(force=True)


def clean(text):
    return ANSI.sub("", text).replace("\r", "")


class Guest:
    """A VM's console reached through `zvm look`; Ctrl+X gives the host shell back."""

    def __init__(self, zvm, vm_id, hvc=False):
        self.zvm = zvm
        self.vm_id = vm_id
        self.opts = " --hvc" if hvc else ""  # typed input into hvc0 instead of the PL011

    def __enter__(self):
        self.zvm.send(f"zvm look {self.vm_id}{self.opts}\r")
        self.zvm.expect(r"\[attached to vm \d+")
        return self

    def __exit__(self, *exc):
        self.zvm.send("\x18")
        self.zvm.wait_prompt()

    def expect(self, pattern, timeout=60):
        return self.zvm.expect(pattern, timeout=timeout)

    def send(self, text):
        self.zvm.send(text)


def create_vm(zvm, args):
    """`zvm new ARGS`; returns the new VM's id."""
    out = zvm.run(f"zvm new {args}")
    m = re.search(r"vm (\d+) created", out)
    assert m, out
    return int(m.group(1))


def mem_used(zvm):
    """(heap used KiB, pages used KiB) from `kernel mem`."""
    out = zvm.run("kernel mem")
    heap = int(re.search(r"^heap\s+\d+ KiB\s+(\d+) KiB", out, re.M).group(1))
    pages = int(re.search(r"^pages\s+\d+ KiB\s+(\d+) KiB", out, re.M).group(1))
    return heap, pages


# A host notice about a VM ("zvm: vm1 (pair1) powered off") printed on the attached console;
# it may land in the middle of the guest's own line.
HOST_NOTICE = re.compile(r"\r*\nzvm: vm\d+ \([^)\r\n]*\) [^\r\n]*\r*\n")


def drop_host_notices(text):
    """A guest's console output without the host's notices about other VMs in it."""
    return HOST_NOTICE.sub("", text)


def run_pinned_pair(zvm, gtype, pcpu=1):
    """Two 1-vCPU VMs of gtype pinned to one physical CPU, so they preempt each other (time
    slices); returns each one's console up to its ZVMTEST DONE line, and deletes them."""
    ids = [create_vm(zvm, f"-t {gtype} -c 1 -m 64 -p {pcpu} -n pair{i}") for i in range(2)]
    for vm in ids:
        zvm.run(f"zvm run -n {vm}")
    outs = []
    for vm in ids:
        with Guest(zvm, vm) as g:
            g.expect(r"ZVMTEST DONE (\d+)/(\d+)\r", timeout=120)
            outs.append(drop_host_notices(zvm.child.before + zvm.child.after))
    threads = zvm.run("kernel threads")
    for vm in ids:
        # Both vCPU threads ran on that CPU only.
        assert re.search(rf"^vm{vm}/vcpu0\s+\d+\s+\S+\s+{pcpu}\s", threads, re.M), threads
    for vm in ids:
        zvm.run(f"zvm delete -n {vm}")
    return outs


def vm_state(zvm, vm):
    """The VM's state as `zvm info` lists it."""
    m = re.search(rf"^{vm}\s+\S+\s+\S+\s+\d+\s+\d+\s+(\S+)$", zvm.run("zvm info"), re.M)
    assert m, zvm.run("zvm info")
    return m.group(1)


def wait_vm_state(zvm, vm, want, timeout=60):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        s = vm_state(zvm, vm)
        if s == want:
            return
        time.sleep(0.2)
    raise AssertionError(f"vm {vm} stayed {s}, not {want}")


# The busybox shell of the Linux guest (configs/guests.conf type linux).
LINUX_SHELL = "~ # "
# The chip name of Linux's GIC in /proc/interrupts: its GICv2 driver says GIC-0.
LINUX_GIC = "GICv3" if board.GIC == 3 else "GIC-0"
_SYNCS = itertools.count(1)


def linux_shell(g, line, timeout=60):
    """Runs a command in the Linux guest's busybox shell and returns its output (the echoed
    command line dropped)."""
    g.send(line + "\r")
    g.expect(re.escape(LINUX_SHELL), timeout=timeout)
    out = g.zvm.child.before.replace("\r", "")
    return out.split("\n", 1)[1] if "\n" in out else out


def linux_resync(g, timeout=180):
    """Waits for a fresh prompt of the Linux guest's shell: `zvm look` replays the console's
    history (old prompts included), and a line typed while the guest still boots may be lost,
    so it asks again until a marker the shell computes (new each time) comes back."""
    deadline = time.monotonic() + timeout
    while True:
        n = next(_SYNCS) + 1000
        g.send(f"echo zvm-sync-$(({n} + 1))\r")
        try:
            g.expect(f"zvm-sync-{n + 1}", timeout=10)
            break
        except pexpect.TIMEOUT:
            if time.monotonic() > deadline:
                raise
    g.expect(re.escape(LINUX_SHELL), timeout=30)
