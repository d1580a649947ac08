"""The vblk test set (guests/tests/t_vblk.c) drives ZVM's virtio-blk bare metal: config
(capacity = the --disk range), sectors written and read back, requests past the capacity
refused with IOERR, writes to a read-only disk refused, WRITE_ZEROES zeroing exactly its range
and DISCARD accepted, each refusing what the spec says."""
import re
import time

from qemu import Guest, create_vm


def finish(zvm, vm, key=None):
    """Attaches (typing key, if any), waits for the set's end: every case passed, all 8. The
    set's output."""
    with Guest(zvm, vm) as g:
        if key:
            g.send(key)
        m = g.expect(r"ZVMTEST DONE (\d+)/(\d+)\r", timeout=120)
        out = zvm.child.before
    assert not re.findall(r"ZVMTEST (\S+) FAIL (.*)", out), out
    assert int(m.group(1)) == int(m.group(2)) == 8, out
    return out


def run_vblk(zvm, disk, opts=""):
    vm = create_vm(zvm, f"-t test-vblk -c 1 -m 64 --disk {disk} {opts}".rstrip())
    assert re.search(rf"vm {vm} running", zvm.run(f"zvm run -n {vm}"))
    out = finish(zvm, vm)
    info = zvm.run(f"zvm info -n {vm}")
    assert "deleted" in zvm.run(f"zvm delete -n {vm}")
    return out, info


def test_vblk_set_read_write(zvm):
    out, info = run_vblk(zvm, "vda@100+256")
    # seg_max + 2 (header, status) fits the queue of 256: Linux's indirect tables do too.
    assert re.search(r"vblk: capacity 256 sectors, seg_max 254, write-zeroes, discard\r", out), out
    assert re.search(r"disk: vda sectors 100-355, reads \d+, .*, zeroes 3, discards 1$", info,
                     re.M), info
    # A static VM's buffers go to the disk without a copy, and its reads and writes are
    # answered from the disk's interrupt.
    assert re.search(r"^    pieces: direct [1-9]\d*, copied 0; answered at the disk's interrupt "
                     r"[1-9]\d*$", info, re.M), info
    # Alone on an idle disk, its worker sent every unit itself (no dispatcher thread).
    sent, by_worker = sched_sent(info)
    assert sent > 0 and by_worker == sent, info


def sched_sent(info):
    """(units dispatched, of which sent by the device's own worker) from `zvm info`."""
    m = re.search(r"sched: prio \d+, dispatched (\d+), .*, sent by the worker (\d+)$", info,
                  re.M)
    assert m, info
    return int(m.group(1)), int(m.group(2))


def test_vblk_set_under_a_cpu_budget(zvm):
    """A VM under a CPU budget could be throttled while sending units: its worker leaves the
    disk to the dispatcher thread (none sent by the worker), with the same results."""
    _, info = run_vblk(zvm, "vda@100+256", "--budget 50/100")
    sent, by_worker = sched_sent(info)
    assert sent > 0 and by_worker == 0, info


def test_vblk_set_on_a_dynamic_vm(zvm):
    """A dynamic VM's pages are not host-contiguous (they appear and move): every piece is
    copied through the bounce buffer, with the same results."""
    out, info = run_vblk(zvm, "vda@100+256", "--mem dynamic")
    assert re.search(r"vblk: capacity 256 sectors, seg_max \d+, write-zeroes, discard\r", out), out
    assert re.search(r"^    pieces: direct 0, copied [1-9]\d*; answered at the disk's "
                     r"interrupt 0$", info, re.M), info


def test_vblk_set_read_only(zvm):
    out, _ = run_vblk(zvm, "vda@300+32:ro")
    assert re.search(r"vblk: capacity 32 sectors, seg_max \d+, read-only\r", out), out
    assert "ZVMTEST vblk_write_zeroes PASS" in out, out
    assert "ZVMTEST vblk_write_read FAIL" not in out


def start_held_write(zvm, hold):
    """A test-vblk-hold VM run up to its write, held on the host disk: the guest stops for a
    key before kicking it, the `kernel blk hold` line hold is typed there (its output
    returned), and the write is then seen held on the disk. Returns the VM's id and that
    output."""
    vm = create_vm(zvm, "-t test-vblk-hold -c 1 -m 64 --disk vda@100+256")
    zvm.run(f"zvm run -n {vm}")
    with Guest(zvm, vm) as g:
        g.expect(r"vblk: hold step 1,", timeout=120)
    out = zvm.run(hold)
    with Guest(zvm, vm) as g:
        g.send("1")
        g.expect(r"vblk: hold step 2,", timeout=60)
    deadline = time.monotonic() + 30
    while "a request held" not in zvm.run("kernel blk"):
        assert time.monotonic() < deadline, "the write never reached the disk"
        time.sleep(0.2)
    return vm, out


def test_vblk_reset_lands_on_a_request_in_flight(zvm):
    """The set's reset in the middle of a write, made certain: test-vblk-hold stops for a key
    before kicking its 56 KiB write, after it, and after the reset. The host disk is held
    (`kernel blk hold`) from the first stop, the write is seen held on the disk at the
    second, the guest then resets the device, and the disk is released at the third: the
    reset waited for the write (counted), none of it reached the ring set up after the reset
    nor the write's status byte (the disk's interrupt answers a request only in the generation
    it came from), and the queue works again."""
    try:
        vm, out = start_held_write(zvm, "kernel blk hold vda on")
        assert "vda: requests held" in out
        with Guest(zvm, vm) as g:
            g.send("2")
            g.expect(r"vblk: hold step 3,", timeout=60)
    finally:
        zvm.run("kernel blk hold vda off")
    finish(zvm, vm, "3")
    info = zvm.run(f"zvm info -n {vm}")
    m = re.search(r"resets: requests on the disk waited for (\d+), queued ones taken back (\d+)",
                  info)
    assert m and int(m.group(1)) == 1, info
    assert "deleted" in zvm.run(f"zvm delete -n {vm}")


def test_vblk_delete_while_a_reset_waits_for_the_disk(zvm):
    """`zvm delete` while a `zvm reset` of the same VM waits for its disk worker: the reset
    (vm-life thread) waits for the worker's pass, which waits for a write held on the disk,
    and the delete (shell) stops the worker. The delete waits for the reset to let go of the
    workers before it frees them, and the vm-life thread serves the next reset. Freed heap
    blocks are poisoned (`kernel mem poison`, as conftest.py turns it on): a reset still
    looking at the freed worker (as it did before that wait) reads it as busy for ever and
    never gets to the next VM, whose reset then never comes."""
    assert "poisoned" in zvm.run("kernel mem poison on")
    try:
        vm, _ = start_held_write(zvm, "kernel blk hold vda on")
        assert f"vm {vm} resetting" in zvm.run(f"zvm reset -n {vm}")
        deadline = time.monotonic() + 30
        while "state resetting (waiting for its device workers)" not in zvm.run(
                f"zvm info -n {vm}"):
            assert time.monotonic() < deadline, "the reset never came to the device workers"
            time.sleep(0.2)
        assert "a request held" in zvm.run("kernel blk")
        # Released by itself: the shell waits in the delete by then.
        assert "requests held for 3000 ms" in zvm.run("kernel blk hold vda on 3000")
        assert "deleted" in zvm.run(f"zvm delete -n {vm}", timeout=60)
    finally:
        zvm.run("kernel blk hold vda off")
    other = create_vm(zvm, "-t test-vblk -c 1 -m 64 --disk vda@100+256")
    zvm.run(f"zvm run -n {other}")
    out = zvm.run(f"zvm reset -n {other}")
    assert f"vm {other} resetting" in out
    if not re.search(rf"zvm: vm{other} \(\S+\) reset", out):
        zvm.expect(rf"zvm: vm{other} \(\S+\) reset", timeout=60)
    assert "deleted" in zvm.run(f"zvm delete -n {other}")
