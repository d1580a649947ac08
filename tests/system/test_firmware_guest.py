"""Firmware boot mode (configs/guests.conf `boot firmware`, include/zvm/vdev/fw_flash.h):
Debian's own U-Boot for QEMU virt runs unmodified as a guest, as under `qemu -bios`."""
import os
import re
import subprocess
import sys

from qemu import BUILD, ROOT, Guest, Zvm, clean, create_vm, linux_resync, linux_shell

UBOOT_PROMPT = "=> "
FIRST_WORDS = re.compile(r"00000000: ([0-9a-f]{8})")


def uboot_cmd(g, line, timeout=30):
    """Types a U-Boot command and returns its output up to the next prompt."""
    g.send(line + "\r")
    g.expect(re.escape(line) + r"\r*\n", timeout=timeout)
    g.expect(UBOOT_PROMPT, timeout=timeout)
    return clean(g.zvm.child.before)


def stop_autoboot(g):
    # The banner, then the countdown: any key stops it at the prompt.
    g.expect(r"U-Boot 20\d\d\.\d\d", timeout=60)
    g.expect(r"Hit any key to stop autoboot", timeout=60)
    g.send(" ")
    g.expect(UBOOT_PROMPT, timeout=30)


def test_debian_uboot_reaches_its_prompt_and_runs_commands(zvm):
    vm = create_vm(zvm, "-t uboot -c 1 -m 128 -n uboot")
    info = clean(zvm.run(f"zvm info -n {vm}"))
    assert re.search(r"fw-flash: firmware image \d+ KiB read-only at 0x0", info), info
    zvm.run(f"zvm run -n {vm}")
    with Guest(zvm, vm) as g:
        stop_autoboot(g)
        out = uboot_cmd(g, "version")
        assert re.search(r"U-Boot 20\d\d\.\d\d", out), out
        out = uboot_cmd(g, "bdinfo")
        # The VM's RAM as ZVM describes it in the DTB at the start of RAM.
        assert re.search(r"start\s+= 0x0+40000000", out), out
        assert re.search(r"size\s+= 0x0+8000000", out), out
        out = uboot_cmd(g, "fdt addr $fdtcontroladdr")
        assert "Working FDT set" in out, out
        out = uboot_cmd(g, "fdt print /")
        assert "interrupt-controller" in out and "psci" in out and "pl011" in out, out
        # Byte reads of the UART: FR and its upper lanes (these aborted before).
        out = uboot_cmd(g, "md.b 0x09000018 4")
        assert re.search(r"09000018: [0-9a-f]{2} 00 00 00", out), out
        # The erased flash bank reads as all ones.
        out = uboot_cmd(g, "md.l 0x04000000 4")
        assert "04000000: ffffffff ffffffff ffffffff ffffffff" in out, out
        # PSCI SYSTEM_RESET: the VM restarts from the firmware, which runs again.
        g.send("reset\r")
        stop_autoboot(g)
        out = uboot_cmd(g, "version")
        assert "U-Boot" in out, out
        g.send("poweroff\r")
        g.expect(rf"vm{vm} \(uboot\) powered off", timeout=30)
    zvm.run(f"zvm delete -n {vm}")


def test_firmware_flash_is_read_only(zvm):
    vm = create_vm(zvm, "-t uboot -c 1 -m 128 -n uboot-ro")
    zvm.run(f"zvm run -n {vm}")
    with Guest(zvm, vm) as g:
        stop_autoboot(g)
        before = FIRST_WORDS.search(uboot_cmd(g, "md.l 0x0 4")).group(1)
        # A write to bank 0 (the shared image) is refused with an abort, reported by ZVM;
        # the image is unchanged for this VM and every other.
        g.send("mw.l 0x0 0x12345678\r")
        g.expect(r"write at 0x0 outside its memory and devices.*abort injected", timeout=30)
    zvm.run(f"zvm delete -n {vm}")
    vm = create_vm(zvm, "-t uboot -c 1 -m 128 -n uboot-ro2")
    zvm.run(f"zvm run -n {vm}")
    with Guest(zvm, vm) as g:
        stop_autoboot(g)
        after = FIRST_WORDS.search(uboot_cmd(g, "md.l 0x0 4")).group(1)
        assert after == before and after != "12345678", after
    zvm.run(f"zvm delete -n {vm}")


def test_uboot_guest_boots_linux_from_its_virtio_disk(tmp_path):
    """As on a board: the guest's U-Boot finds boot.scr on its disk (distro boot scans virtio
    devices) and boots Debian's kernel and initramfs from it. The disk is the whole host disk,
    given to the VM by `--disk vda`."""
    out = tmp_path / "disk"
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "uboot-disk.py"),
                    "--linux", os.path.join(BUILD, "linux", "Image"),
                    "--initrd", os.path.join(BUILD, "linux", "initramfs.cpio.gz"),
                    "--bootargs", "console=ttyAMA0 rdinit=/init zvm_uboot_guest=1",
                    "--out", str(out)], check=True)
    zvm = Zvm(disk=str(out / "boot.img"))
    try:
        zvm.boot()
        vm = create_vm(zvm, "-t uboot -c 2 -m 256 -n uboot-linux --disk vda:ro")
        zvm.run(f"zvm run -n {vm}")
        with Guest(zvm, vm) as g:
            g.expect(r"U-Boot 20\d\d\.\d\d", timeout=60)
            g.expect(r"Found U-Boot script /boot.scr", timeout=120)
            g.expect("ZVM guest: loading Linux", timeout=30)
            g.expect(r"Starting kernel", timeout=180)
            g.expect("ZVM-LINUX-INIT-OK", timeout=240)
            linux_resync(g)
            # The kernel U-Boot started, with the script's command line, on the VM's vCPUs.
            assert "zvm_uboot_guest=1" in linux_shell(g, "cat /proc/cmdline")
            assert linux_shell(g, "grep -c ^processor /proc/cpuinfo").split()[0] == "2"
            # Its own virtio disk is the one U-Boot read: the FAT partition is there.
            assert "vda1" in linux_shell(g, "cat /proc/partitions")
        zvm.run(f"zvm delete -n {vm}")
    finally:
        zvm.close()
