"""ZVM booted as on a board: QEMU runs Debian's qemu_arm64 U-Boot at EL2, whose distro boot
finds boot.scr on a virtio disk (scripts/uboot-disk.py); nothing is typed before ZVM's prompt."""
import os
import re
import shutil
import subprocess

import pytest

import board
from qemu import BUILD, ROOT, Guest, Zvm, create_vm

SCRIPT = os.path.join(ROOT, "scripts", "uboot-disk.py")
LINUX_SHELL = "~ # "
# U-Boot's autoboot delay, the disk scan and loading 45 MiB over virtio take a while under TCG.
BOOT_TIMEOUT = 180


def make_disk(out):
    """The default board's disk, as `make run-uboot` builds it, in out/boot.img."""
    board.image_args()  # (re)builds build/board/cortex-a57-smp4-2G
    r = subprocess.run([SCRIPT, "--board", board.board_dir("cortex-a57", 4, "2G"),
                        "--zvm", os.path.join(BUILD, "zvm.bin"), "--out", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return os.path.join(out, "boot.img")


@pytest.fixture(scope="module")
def disk(tmp_path_factory):
    return make_disk(tmp_path_factory.mktemp("uboot"))


def test_uboot_boots_zvm_which_runs_test_and_linux_guests(disk):
    zvm = Zvm(uboot_disk=disk)
    try:
        out = zvm.boot(timeout=BOOT_TIMEOUT)
        # U-Boot ran the script and booti moved the Image to its text_offset.
        assert "ZVM: loading images" in out, out
        assert "Moving Image from 0x40400000 to 0x40080000" in out, out
        # ZVM ran at EL2 (the vGIC needs it) and found every guest type in the board DTB.
        assert re.search(r"vgic: \d+ list registers", out), out
        vm = create_vm(zvm, "-t test-psci -c 2 -m 64")
        zvm.run(f"zvm run -n {vm}")
        with Guest(zvm, vm) as g:
            g.expect(r"ZVMTEST DONE (\d+)/(\d+)\r", timeout=120)
            passed, total = map(int, zvm.child.match.groups())
            assert passed == total > 0
        zvm.run(f"zvm delete -n {vm}")

        # Linux, from the Image and initramfs U-Boot loaded, to its shell.
        vm = create_vm(zvm, "-t linux -c 1 -m 256")
        zvm.run(f"zvm run -n {vm}")
        with Guest(zvm, vm) as g:
            g.expect("ZVM-LINUX-INIT-OK", timeout=180)
            g.expect(re.escape(LINUX_SHELL), timeout=60)
            g.send("echo uboot-$((6*7))\r")
            g.expect("uboot-42", timeout=30)
            g.send("poweroff -f\r")
            g.expect(rf"vm{vm} \(\S+\) powered off", timeout=60)
        assert "deleted" in zvm.run(f"zvm delete -n {vm}")
    finally:
        zvm.close()


def test_a_missing_image_is_reported_by_the_boot_script(disk, tmp_path):
    """The script names the file it could not load and does not jump into ZVM."""
    broken = tmp_path / "boot.img"
    shutil.copy(disk, broken)
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    subprocess.run(["mdel", "-i", f"{broken}@@1M", "::rtos.bin"], check=True, env=env)
    zvm = Zvm(uboot_disk=str(broken), prompt="ZVM boot failed: cannot load")
    try:
        zvm.boot(timeout=BOOT_TIMEOUT)
        assert zvm.child.expect([r"rtos\.bin", "Starting kernel"], timeout=10) == 0
    finally:
        zvm.close()
