"""virtio-blk for guests (zvm/virtio/virtio_blk.c) on the host disk (drivers/virtio_blk.c):
Debian's own virtio_blk driver in a Linux VM sees /dev/vda; what it writes reaches the image
file, survives a VM reset and a ZVM reboot; ranges and sharing rules are enforced."""
import hashlib
import re

from qemu import LINUX_SHELL as SHELL
from qemu import Guest, Zvm, create_vm, mem_used
from qemu import linux_resync as resync
from qemu import linux_shell as shell

SECTOR = 512


def md5(out):
    """The checksum md5sum printed (the echoed command may wrap over several lines)."""
    m = re.search(r"^([0-9a-f]{32})\s", out, re.M)
    assert m, out
    return m.group(1)


def linux_up(g):
    g.expect("ZVM-LINUX-INIT-OK", timeout=180)
    g.expect(re.escape(SHELL))


def test_linux_vda_data_reaches_the_image_and_survives_reset_and_reboot(tmp_path):
    image = tmp_path / "disk.img"
    with open(image, "wb") as f:
        f.truncate(16 << 20)
    # The VM gets 2 MiB from sector 4096 (2 MiB in) of the host disk.
    first, count = 4096, 4096
    zvm = Zvm(disk=str(image))
    try:
        zvm.boot()
        before = mem_used(zvm)
        vm = create_vm(zvm, f"-t linux -c 1 -m 256 -n blk --disk vda@{first}+{count}")
        zvm.run(f"zvm run -n {vm}")
        with Guest(zvm, vm) as g:
            linux_up(g)
            assert shell(g, "cat /sys/block/vda/size").split()[0] == str(count)
            # VIRTIO_BLK_F_SEG_MAX: requests of up to 254 segments (1 without it), so header,
            # data and status fit the 256-entry queue, and a 1 MiB request of 256 user
            # pages, some adjacent, goes whole (with 126 Linux split it in two).
            assert shell(g, "cat /sys/block/vda/queue/max_segments").split()[0] == "254"
            # 1 MiB requests straight from user pages (many segments), written and read back
            # at 1 MiB into /dev/vda.
            shell(g, "dd if=/dev/urandom of=/tmp/big bs=1048576 count=1 2>/dev/null; "
                     "dd if=/tmp/big of=/dev/vda bs=1048576 seek=1 oflag=direct 2>/dev/null")
            big = md5(shell(g, "md5sum /tmp/big"))
            got = shell(g, "dd if=/dev/vda bs=1048576 skip=1 count=1 iflag=direct 2>/dev/null"
                           " | md5sum")
            assert md5(got) == big, got
            # 64 KiB of random data at 512 KiB into /dev/vda, written and flushed.
            shell(g, "dd if=/dev/urandom of=/tmp/d bs=4096 count=16 2>/dev/null; "
                     "dd if=/tmp/d of=/dev/vda bs=4096 seek=128 conv=fsync 2>/dev/null")
            want = md5(shell(g, "md5sum /tmp/d"))
            got = shell(g, "echo 3 > /proc/sys/vm/drop_caches; "
                           "dd if=/dev/vda bs=4096 skip=128 count=16 2>/dev/null | md5sum")
            assert md5(got) == want, got
            out = shell(g, "dd if=/dev/zero of=/dev/vda bs=512 seek=4096 count=1 2>&1; echo rc=$?")
            assert "rc=1" in out or "No space" in out, out  # past its range
            # DISCARD and WRITE_ZEROES offered: one range of up to 32 MiB each.
            for q in ("discard_max_bytes", "write_zeroes_max_bytes"):
                assert shell(g, f"cat /sys/block/vda/queue/{q}").split()[0] == "33554432"
            out = shell(g, "blkdiscard -o 0 -l 65536 /dev/vda; echo rc=$?")
            assert "rc=0" in out, out
        # In the image file, at the VM's offset.
        with open(image, "rb") as f:
            f.seek((first + 128 * 8) * SECTOR)
            assert hashlib.md5(f.read(16 * 4096)).hexdigest() == want
        info = zvm.run(f"zvm info -n {vm}")
        assert re.search(rf"disk: vda sectors {first}-{first + count - 1}, reads \d+, "
                         r"writes [1-9]\d*, flushes [1-9]\d*, errors 0, zeroes 0, "
                         r"discards [1-9]", info), info
        # A VM reset keeps the disk; the guest reads the same data.
        assert "resetting" in zvm.run(f"zvm reset -n {vm}")
        with Guest(zvm, vm) as g:
            resync(g)
            got = shell(g, "dd if=/dev/vda bs=4096 skip=128 count=16 2>/dev/null | md5sum")
            assert md5(got) == want, got
            g.send("poweroff -f\r")
            g.expect(rf"vm{vm} \(blk\) powered off", timeout=60)
        assert "deleted" in zvm.run(f"zvm delete -n {vm}")
        assert mem_used(zvm) == before
    finally:
        zvm.close()
    # A new ZVM (the board rebooted) on the same image: still there.
    zvm = Zvm(disk=str(image))
    try:
        zvm.boot()
        vm = create_vm(zvm, f"-t linux -c 1 -m 256 -n blk2 --disk vda@{first}+{count}:ro")
        zvm.run(f"zvm run -n {vm}")
        with Guest(zvm, vm) as g:
            linux_up(g)
            got = shell(g, "dd if=/dev/vda bs=4096 skip=128 count=16 2>/dev/null | md5sum")
            assert md5(got) == want, got
            assert shell(g, "cat /sys/block/vda/ro").split()[0] == "1"
            for q in ("discard_max_bytes", "write_zeroes_max_bytes"):
                assert shell(g, f"cat /sys/block/vda/queue/{q}").split()[0] == "0"
            out = shell(g, "dd if=/dev/zero of=/dev/vda bs=512 count=1 2>&1; echo rc=$?")
            assert "rc=1" in out, out
    finally:
        zvm.close()


def test_disk_option_errors_and_sharing(zvm):
    cases = {
        "--disk vdz": "error: no host disk 'vdz' (see 'kernel blk')",
        "--disk vda@1+": "error: bad --disk 'vda@1+': a range is @FIRST+COUNT",
        "--disk VDA": "error: bad --disk 'VDA': a disk name is 1-7 of a-z, 0-9",
        "--disk vda:rw": "error: bad --disk 'vda:rw': after the name and range only ':ro'",
        "--disk vda@32760+100": "error: --disk 'vda@32760+100': vda has 32768 sectors",
    }
    for opt, want in cases.items():
        out = zvm.run(f"zvm new -t hello -m 32 {opt}")
        assert want in out, (opt, out)
    a = create_vm(zvm, "-t hello -m 32 --disk vda@0+1000")
    out = zvm.run("zvm new -t hello -m 32 --disk vda@999+10")
    assert f"those sectors belong to vm {a}" in out, out
    b = create_vm(zvm, "-t hello -m 32 --disk vda@1000+10")  # next to it: fine
    # Read-only on both sides may share.
    c = create_vm(zvm, "-t hello -m 32 --disk vda@2000+10:ro")
    d = create_vm(zvm, "-t hello -m 32 --disk vda@2000+10:ro")
    for vm in (a, b, c, d):
        assert "deleted" in zvm.run(f"zvm delete -n {vm}")
    # Deleting gives the range back.
    e = create_vm(zvm, "-t hello -m 32 --disk vda@0+1000")
    assert "deleted" in zvm.run(f"zvm delete -n {e}")


def test_pinned_vm_yields_its_cpu_to_its_disk_worker(zvm):
    """A dedicated vCPU (pinned alone to CPU 1) hands its CPU to its disk worker, at the same
    priority on the same CPU, at the guest's queue notification: the request goes to the disk
    at once and the guest carries on meanwhile. Without it each request waits until the guest
    idles (its WFI then traps while the worker is queued) or for a time slice."""
    vm = create_vm(zvm, "-t linux -c 1 -m 256 -p 1 -n pinned --disk vda@8192+4096")
    zvm.run(f"zvm run -n {vm}")
    with Guest(zvm, vm) as g:
        linux_up(g)
        out = shell(g, "dd if=/dev/vda of=/dev/null bs=65536 count=32 iflag=direct 2>&1; "
                       "echo rc=$?")
        assert "rc=0" in out, out
    info = zvm.run(f"zvm info -n {vm}")
    m = re.search(r"virtio-blk: .*notifies (\d+), worker passes \d+ \(CPU handed to it (\d+)\)",
                  info)
    # Every notification found the worker waiting for this CPU (it had blocked on the disk or
    # on its queue), bar the few that came while the guest's vCPU was elsewhere.
    assert m and int(m.group(2)) >= int(m.group(1)) // 2 > 0, info
    # The worker sent its requests itself, and the disk's interrupt followed it to CPU 1.
    assert re.search(r"sent by the worker [1-9]", info), info
    assert re.search(r"^vda: .*, interrupt to CPU 1\b", zvm.run("kernel blk"), re.M)
    assert "deleted" in zvm.run(f"zvm delete -n {vm}")
