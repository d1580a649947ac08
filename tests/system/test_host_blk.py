"""The host virtio-blk driver (drivers/virtio_blk.c) through `kernel blk`, on a raw image of the
test's own: what ZVM writes is in the file after the flush and survives a restart, what the file
holds is what ZVM reads, and requests past the end or to a read-only disk are refused."""
import re

import pytest

from qemu import Guest, Zvm, create_vm

SECTORS = 32768  # 16 MiB
SEEDED = 100     # filled from Python before boot
WRITTEN = 2000   # written by ZVM


def seed_pattern():
    return bytes((i * 7 + 3) & 0xFF for i in range(512))


@pytest.fixture(scope="module")
def image(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostblk") / "disk.img"
    with open(path, "wb") as f:
        f.truncate(SECTORS * 512)
        f.seek(SEEDED * 512)
        f.write(seed_pattern())
    return str(path)


@pytest.fixture(scope="module")
def zvm(image):
    m = Zvm(disk=image)
    m.boot()
    yield m
    m.close()


def dump(out):
    """The bytes of a `kernel blk read` hexdump."""
    data = bytearray()
    for m in re.finditer(r"^([0-9a-f]{4}): ((?:[0-9a-f]{2} ?){16})$", out, re.M):
        assert int(m.group(1), 16) == len(data)
        data += bytes.fromhex(m.group(2))
    return bytes(data)


def stats(zvm):
    """vda's (requests, irqs, errors) from `kernel blk`."""
    m = re.search(r"^vda\s+(\d+)\s+(\d+)\s+(\d+)\s+(yes|no)\s+(\d+)\s+(\d+)\s+(\d+)$",
                  zvm.run("kernel blk"), re.M)
    assert m, "vda not listed"
    return tuple(int(m.group(i)) for i in (5, 6, 7))


def sector_of(path, n):
    with open(path, "rb") as f:
        f.seek(n * 512)
        return f.read(512)


def test_lists_the_disk_with_its_capacity(zvm):
    out = zvm.run("kernel blk")
    assert re.search(rf"^vda\s+{SECTORS}\s+16\s+512\s+no\s+\d+\s+\d+\s+0$", out, re.M), out


def test_read_returns_what_the_file_holds(zvm):
    before = stats(zvm)
    data = dump(zvm.run(f"kernel blk read vda {SEEDED}"))
    assert data == seed_pattern()[:64]
    after = stats(zvm)
    # One request, completed by the device's interrupt.
    assert after[0] == before[0] + 1 and after[1] > before[1] and after[2] == 0
    # Its neighbours are still zero: the sector number reached the device unshifted.
    assert dump(zvm.run(f"kernel blk read vda {SEEDED + 1}")) == bytes(64)
    assert dump(zvm.run(f"kernel blk read vda {SEEDED - 1}")) == bytes(64)


def test_write_reaches_the_file_and_is_flushed(zvm, image):
    before = stats(zvm)
    out = zvm.run(f"kernel blk write vda {WRITTEN} 0x5a")
    assert f"sector {WRITTEN} filled with 0x5a and flushed" in out
    # The write and then the flush went to the device.
    assert stats(zvm)[0] == before[0] + 2
    assert sector_of(image, WRITTEN) == b"\x5a" * 512
    assert sector_of(image, WRITTEN - 1) == bytes(512)
    assert sector_of(image, WRITTEN + 1) == bytes(512)
    assert dump(zvm.run(f"kernel blk read vda {WRITTEN}")) == b"\x5a" * 64


def test_last_sector_and_past_the_end(zvm, image):
    assert "flushed" in zvm.run(f"kernel blk write vda {SECTORS - 1} 0xa5")
    assert sector_of(image, SECTORS - 1) == b"\xa5" * 512
    out = zvm.run(f"kernel blk write vda {SECTORS} 0x11")
    assert "error: vda sector 32768: sector past the end of the disk" in out
    out = zvm.run(f"kernel blk read vda {SECTORS + 5}")
    assert "sector past the end of the disk" in out
    assert "error: no such disk: vdz" in zvm.run("kernel blk read vdz 0")
    assert "error: no such disk: vdz" in zvm.run("kernel blk id vdz")
    assert "usage" in zvm.run("kernel blk write vda 0 0x100")
    assert stats(zvm)[2] == 0  # refused before reaching the device


def test_bench_reads_and_writes_in_64k_requests(zvm):
    """`kernel blk bench` (make bench's baseline): 4 MiB in 64 KiB requests, a flush after the
    writes; ranges past the end and bad words refused before the device."""
    before = stats(zvm)
    out = zvm.run("kernel blk bench vda write 8192 4", timeout=120)
    assert re.search(r"blk bench vda write: 4 MiB in \d+ us, \d+ KiB/s", out), out
    mid = stats(zvm)
    assert mid[0] - before[0] == 64 + 1, (before, mid)
    out = zvm.run("kernel blk bench vda read 8192 4", timeout=120)
    assert re.search(r"blk bench vda read: 4 MiB in \d+ us, \d+ KiB/s", out), out
    after = stats(zvm)
    assert after[0] - mid[0] == 64 and after[2] == before[2], (mid, after)
    assert "past the end" in zvm.run(f"kernel blk bench vda read {SECTORS - 2047} 1")
    assert "usage" in zvm.run("kernel blk bench vda erase 0 1")
    assert "usage" in zvm.run("kernel blk bench vda read 0 0")
    assert stats(zvm) == after


def test_zero_and_discard(zvm, image):
    """WRITE_ZEROES zeroes exactly its sectors in the file; DISCARD is accepted (QEMU's default
    discard=ignore keeps the data: discarded sectors are undefined, not zero)."""
    assert "vda: flush yes, discard yes, write-zeroes yes" in zvm.run("kernel blk")
    for s in range(3000, 3004):
        assert "flushed" in zvm.run(f"kernel blk write vda {s} 0x66")
    before = stats(zvm)
    out = zvm.run("kernel blk zero vda 3001 2")
    assert "vda: 2 sectors at 3001 zeroed and flushed" in out, out
    assert stats(zvm)[0] == before[0] + 2  # one WRITE_ZEROES, one flush
    assert [sector_of(image, s)[:1] for s in range(3000, 3004)] == [b"\x66", b"\0", b"\0",
                                                                   b"\x66"]
    assert sector_of(image, 3002) == bytes(512)
    out = zvm.run("kernel blk discard vda 3003 1")
    assert "vda: 1 sectors at 3003 discarded and flushed" in out, out
    out = zvm.run(f"kernel blk zero vda {SECTORS - 1} 2")
    assert "error: vda sectors 32767+2: sector past the end of the disk" in out, out
    assert stats(zvm)[2] == 0


def test_data_survives_a_restart(fresh_zvm, zvm, image):
    zvm.close()  # one QEMU on the image at a time
    m = fresh_zvm(disk=image)
    m.boot()
    assert dump(m.run(f"kernel blk read vda {WRITTEN}")) == b"\x5a" * 64
    assert dump(m.run(f"kernel blk read vda {SECTORS - 1}")) == b"\xa5" * 64


def own_disk(fresh_zvm, path, drive_opts="", device_opts=""):
    """A booted ZVM whose only disk is the image at path, with QEMU options of its own."""
    m = fresh_zvm(disk=None, extra=[
        "-global", "virtio-mmio.force-legacy=false",
        "-drive", f"if=none,file={path},format=raw,id=own{drive_opts}",
        "-device", f"virtio-blk-device,drive=own{device_opts}"])
    m.boot()
    return m


def test_read_only_disk_refuses_writes(fresh_zvm, tmp_path):
    path = tmp_path / "ro.img"
    with open(path, "wb") as f:
        f.truncate(1 << 20)
    m = own_disk(fresh_zvm, path, ",readonly=on", ",serial=ZVM-RO-0123456789abc")
    assert re.search(r"^vda\s+2048\s+1\s+512\s+yes\s", m.run("kernel blk"), re.M)
    assert "error: vda sector 0: disk is read-only" in m.run("kernel blk write vda 0 0x22")
    assert dump(m.run("kernel blk read vda 0")) == bytes(64)
    # GET_ID: 20 bytes, not NUL-terminated when the serial fills them.
    assert 'vda: id "ZVM-RO-0123456789abc"' in m.run("kernel blk id vda")


def test_zeroing_without_the_disk_command(fresh_zvm, tmp_path):
    """A disk without WRITE_ZEROES and DISCARD (QEMU write-zeroes=off,discard=off): the driver
    zeroes with writes of its 64 KiB bounce buffer, refuses discard in words, and a guest's
    virtio-blk offers WRITE_ZEROES alone (the test guest's big range takes two pieces)."""
    path = tmp_path / "nowz.img"
    with open(path, "wb") as f:
        f.write(b"\x77" * (300 * 512))
        f.truncate(1 << 20)
    m = own_disk(fresh_zvm, path, device_opts=",write-zeroes=off,discard=off")
    assert "vda: flush yes, discard no, write-zeroes emulated" in m.run("kernel blk")
    before = stats(m)
    assert "vda: 260 sectors at 1 zeroed and flushed" in m.run("kernel blk zero vda 1 260")
    assert stats(m)[0] == before[0] + 3 + 1  # 128 + 128 + 4 sectors written, a flush
    assert sector_of(path, 0) == b"\x77" * 512 and sector_of(path, 261) == b"\x77" * 512
    assert all(sector_of(path, s) == bytes(512) for s in range(1, 261))
    out = m.run("kernel blk discard vda 0 1")
    assert "error: vda sectors 0+1: the disk does not support it" in out, out
    vm = create_vm(m, "-t test-vblk -c 1 -m 64 --disk vda@0+256")
    m.run(f"zvm run -n {vm}")
    with Guest(m, vm) as g:
        g.expect(r"ZVMTEST DONE (\d+)/(\d+)\r", timeout=120)
        out = m.child.before
    assert re.search(r"vblk: capacity 256 sectors, seg_max \d+, write-zeroes\r", out), out
    assert not re.findall(r"ZVMTEST (\S+) FAIL (.*)", out), out
    assert "ZVMTEST vblk_write_zeroes PASS" in out and "ZVMTEST vblk_discard PASS" in out, out
