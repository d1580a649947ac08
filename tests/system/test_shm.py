"""Shared memory between VMs with a doorbell (`zvm new --shm`, zvm/shm/, zvm/vdev/doorbell.c):
two test guests exchange checksummed messages both ways through one region and the doorbell
while one of them is reset; a read-only mapping aborts writes and leaves the region unchanged;
deleting one VM leaves the region to the others, the last one frees it."""
import re
import time

from qemu import Guest, create_vm, drop_host_notices, mem_used

REGION = r"shm region ring: IPA 0x{ipa:x}-0x{end:x}, 16 KiB, {mode}, {n} VM\(s\) map it"


def doorbell(zvm, vm):
    """(rung, refused, received) from `zvm info -n VM`."""
    info = zvm.run(f"zvm info -n {vm}")
    m = re.search(r"shm doorbell: 0x9100000, SPI \d+ \(INTID \d+\), peers 0x[0-9a-f]+, "
                  r"pending 0x[0-9a-f]+, rung (\d+), refused (\d+), received (\d+)", info)
    assert m, info
    return tuple(int(x) for x in m.groups())


def region_line(zvm, vm, ipa, mode, n):
    info = zvm.run(f"zvm info -n {vm}")
    assert re.search(REGION.format(ipa=ipa, end=ipa + 0x4000, mode=mode, n=n), info), info
    return info


def guest_output(zvm, vm, timeout=120):
    """The VM's console up to its ZVMTEST DONE line."""
    with Guest(zvm, vm) as g:
        g.expect(r"ZVMTEST DONE (\d+)/(\d+)\r", timeout=timeout)
        # The host's "powered off" notice about the peer may land inside a line.
        return drop_host_notices(zvm.child.before + zvm.child.after)


def test_two_vms_exchange_messages_through_a_region_while_one_is_reset(zvm):
    before = mem_used(zvm)
    # Each VM picks its own IPA for the region; b has dynamic RAM (the region is not RAM).
    a = create_vm(zvm, "-t test-shm -m 32 -n shm-a --shm ring:16@0x20000000")
    b = create_vm(zvm, "-t test-shm -m 32 -n shm-b --mem dynamic --shm ring:16@0x30000000")
    info = region_line(zvm, a, 0x20000000, "rw", 2)
    assert "0x09100000-0x09101000  shm doorbell (see below)" in info, info
    region_line(zvm, b, 0x30000000, "rw", 2)
    zvm.run(f"zvm run -n {a}")
    zvm.run(f"zvm run -n {b}")
    # Reset b in the middle of the exchange (a goes on for 6 s and re-rings unanswered
    # messages).
    end = time.monotonic() + 60
    while doorbell(zvm, a)[0] < 10:
        assert time.monotonic() < end, "the exchange did not start"
        time.sleep(0.2)
    assert "resetting" in zvm.run(f"zvm reset -n {b}")
    out = guest_output(zvm, a)
    assert "ZVMTEST shm_doorbell_refuses_non_peers PASS" in out, out
    assert "ZVMTEST shm_exchange PASS" in out, out
    assert "ZVMTEST DONE 2/2" in out, out
    m = re.search(r"# shm: (\d+) messages answered", out)
    assert m and int(m.group(1)) >= 50, out
    out = guest_output(zvm, b, timeout=60)
    # The second boot found what the first one left in the region, and answered the rest.
    assert "ZVMTEST shm_region_survives_reset PASS" in out, out
    assert "ZVMTEST shm_respond PASS" in out, out
    assert "ZVMTEST DONE 2/2" in out, out
    rung, refused, received = doorbell(zvm, a)
    assert rung >= 50 and received >= 50 and refused >= 60, (rung, refused, received)

    # a goes: the region stays with b, with its content (c reads a's probe pattern).
    assert "deleted" in zvm.run(f"zvm delete -n {a}")
    region_line(zvm, b, 0x30000000, "rw", 1)
    # A bystander with a doorbell and its own region: c's rings to it must be refused.
    d = create_vm(zvm, "-t test-shm-ro -m 32 -n shm-d --shm other:4@0x20000000")
    c = create_vm(zvm, "-t test-shm-ro -m 32 -n shm-c --mem dynamic "
                  "--shm ring:16@0x20000000:ro")
    region_line(zvm, c, 0x20000000, "ro", 2)
    zvm.run(f"zvm run -n {c}")
    out = guest_output(zvm, c, timeout=60)
    assert "ZVMTEST shm_ro_write_aborts PASS" in out, out
    assert "ZVMTEST shm_ro_doorbell_refuses_non_peers PASS" in out, out
    assert "ZVMTEST DONE 2/2" in out, out
    assert doorbell(zvm, d)[2] == 0
    for vm in (b, d):
        assert "deleted" in zvm.run(f"zvm delete -n {vm}")
    out = zvm.run(f"zvm delete -n {c}")
    assert "shared region 'ring' freed" in out, out
    assert mem_used(zvm) == before


def test_shm_option_errors_are_said_and_leak_nothing(zvm):
    before = mem_used(zvm)
    bad = {
        "ring:6@0x20000000": "error: bad --shm 'ring:6@0x20000000': bad size",
        "ring:16@0x20000800": "IPA not page aligned",
        "a:4@0x20000000,a:4@0x30000000": "a region is named twice",
        "ring:16@0x20000000:rw": "trailing characters",
        "ring:16@0x41000000": "error: --shm ring: IPA range overlaps guest RAM",
        "ring:16@0x09000000": "error: --shm ring: IPA range overlaps",
        "ring:16@0x100000000000000": "past the",
    }
    for spec, want in bad.items():
        out = zvm.run(f"zvm new -t test-shm -m 32 --shm {spec}")
        assert want in out, (spec, out)
        assert "created" not in out, out
    out = zvm.run("zvm new -t test-shm -m 32 --shm")
    assert "--shm needs NAME:SIZE_KB@IPA" in out, out
    x = create_vm(zvm, "-t test-shm -m 32 -n shm-x --shm ring:16@0x20000000")
    # Another size for an existing region: refused, the region keeps its one member.
    out = zvm.run("zvm new -t test-shm -m 32 --shm ring:32@0x20000000")
    assert "error: shared region 'ring': region exists with another size" in out, out
    region_line(zvm, x, 0x20000000, "rw", 1)
    out = zvm.run(f"zvm delete -n {x}")
    assert "shared region 'ring' freed" in out, out
    assert mem_used(zvm) == before
