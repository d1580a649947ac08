"""virtio-net between VMs (zvm/virtio/virtio_net.c, vswitch.c, vnet_inbox.c): Debian's own
virtio_net driver in two Linux VMs on the host's switch, they ping each other; test guests
(guests/tests/t_vnet.c) fill an inbox and have a peer reset and deleted under a flood."""
import re
import time

from qemu import LINUX_SHELL as SHELL
from qemu import Guest, create_vm, mem_used
from qemu import linux_resync as resync
from qemu import linux_shell as shell


def boot_with_address(zvm, vm, addr):
    zvm.run(f"zvm run -n {vm}")
    with Guest(zvm, vm) as g:
        g.expect("ZVM-LINUX-INIT-OK", timeout=180)
        g.expect(re.escape(SHELL))
        out = shell(g, "cat /sys/class/net/eth0/address")
        assert re.search(rf"52:54:00:5a:00:{vm:02x}", out), out
        shell(g, f"ip addr add {addr}/24 dev eth0 && ip link set eth0 up")


def test_two_linux_vms_ping_each_other(zvm):
    before = mem_used(zvm)
    a = create_vm(zvm, "-t linux -c 1 -m 256 -n net-a --dev virtio-net")
    b = create_vm(zvm, "-t linux -c 1 -m 256 -n net-b --dev virtio-net")
    boot_with_address(zvm, a, "10.0.0.1")
    boot_with_address(zvm, b, "10.0.0.2")
    with Guest(zvm, b) as g:
        resync(g)
        out = shell(g, "ping -c 3 -W 5 10.0.0.1", timeout=60)
        assert re.search(r"3 packets transmitted, 3 packets received", out), out
    with Guest(zvm, a) as g:
        resync(g)
        out = shell(g, "ping -c 2 -W 5 10.0.0.2", timeout=60)
        assert re.search(r"2 packets transmitted, 2 packets received", out), out
    info = zvm.run(f"zvm info -n {a}")
    m = re.search(r"net: mac 52:54:00:5a:00:[0-9a-f]{2}, switch port \d+, tx (\d+) \(dropped 0, "
                  r"spoofed 0\), rx (\d+)", info)
    assert m and int(m.group(1)) >= 3 and int(m.group(2)) >= 3, info
    # A guest posing as another MAC is not forwarded (the host gave each port its MAC).
    with Guest(zvm, b) as g:
        resync(g)
        shell(g, "ip link set eth0 address 52:54:00:5a:00:99")
        out = shell(g, "ping -c 2 -W 2 10.0.0.1", timeout=60)
        assert "2 packets transmitted, 0 packets received" in out, out
    m = re.search(r"tx \d+ \(dropped \d+, spoofed (\d+)\)", zvm.run(f"zvm info -n {b}"))
    assert m and int(m.group(1)) >= 2
    # A deleted VM leaves the switch: the other's frames to it go nowhere, and it carries on.
    assert "deleted" in zvm.run(f"zvm delete -n {a}")
    with Guest(zvm, b) as g:
        resync(g)
        out = shell(g, "ping -c 1 -W 2 10.0.0.1", timeout=60)
        assert "1 packets transmitted, 0 packets received" in out, out
    assert "deleted" in zvm.run(f"zvm delete -n {b}")
    assert mem_used(zvm) == before


def test_dev_option_names_the_devices(zvm):
    out = zvm.run("zvm new -t hello --dev virtio-nic")
    assert "error: bad --dev 'virtio-nic': a comma-separated list of optional devices " \
        "(virtio-rng, virtio-net)" in out, out
    vm = create_vm(zvm, "-t hello -m 32 --dev virtio-net,virtio-rng")
    info = zvm.run(f"zvm info -n {vm}")
    assert re.search(r"net: mac 52:54:00:5a:00:[0-9a-f]{2}, switch port \d+, tx 0", info), info
    assert "virtio-rng" in info
    assert "deleted" in zvm.run(f"zvm delete -n {vm}")


def net_counters(zvm, vm):
    """(tx frames, inbox-full drops) from `zvm info -n VM`."""
    info = zvm.run(f"zvm info -n {vm}")
    m = re.search(r"tx (\d+) \(dropped \d+, spoofed \d+\), rx \d+ \(dropped \d+, "
                  r"inbox full (\d+)\)", info)
    assert m, info
    return int(m.group(1)), int(m.group(2))


def test_full_inbox_drops_and_counts_then_traffic_resumes(zvm):
    """vnet_rx posts no receive buffer until a key comes; vnet_tx sends 100 frames meanwhile:
    its inbox keeps the oldest 32 (the guest checks their order), the host counts 68 dropped,
    nothing hangs, and frames flow again afterwards."""
    before = mem_used(zvm)
    rx = create_vm(zvm, "-t test-vnet-rx -m 64 --dev virtio-net")
    tx = create_vm(zvm, "-t test-vnet-tx -m 64 --dev virtio-net")
    zvm.run(f"zvm run -n {rx}")
    with Guest(zvm, rx) as g:
        g.expect(r"waiting for a key", timeout=60)
    zvm.run(f"zvm run -n {tx}")
    with Guest(zvm, tx) as g:
        g.expect(r"ZVMTEST vnet_burst PASS", timeout=60)
    deadline = time.time() + 10
    while net_counters(zvm, rx)[1] < 68 and time.time() < deadline:
        time.sleep(0.2)
    assert net_counters(zvm, rx)[1] == 68
    with Guest(zvm, rx) as g:
        g.send("k")
        m = g.expect(r"ZVMTEST DONE (\d+)/(\d+)\r", timeout=60)
        out = zvm.child.before
    assert "ZVMTEST vnet_inbox_full PASS" in out and "ZVMTEST vnet_resume PASS" in out, out
    assert m.group(1) == m.group(2) == "3", out
    with Guest(zvm, tx) as g:
        m = g.expect(r"ZVMTEST DONE (\d+)/(\d+)\r", timeout=60)
    assert m.group(1) == m.group(2) == "3", zvm.child.before
    assert net_counters(zvm, rx)[1] == 68
    for vm in (rx, tx):
        assert "deleted" in zvm.run(f"zvm delete -n {vm}")
    assert mem_used(zvm) == before


def test_peer_reset_and_deleted_under_a_flood(zvm):
    """A flooding VM keeps sending while its peer resets its device, is reset as a VM and is
    deleted, three times over: the peer gets only whole frames in order each time, the flooder
    carries on, and nothing leaks."""
    before = mem_used(zvm)
    flood = create_vm(zvm, "-t test-vnet-flood -m 64 --dev virtio-net")
    zvm.run(f"zvm run -n {flood}")
    with Guest(zvm, flood) as g:
        g.expect(r"ZVMTEST vnet_ident PASS", timeout=60)
    for _ in range(3):
        sink = create_vm(zvm, "-t test-vnet-sink -m 64 --dev virtio-net")
        zvm.run(f"zvm run -n {sink}")
        for run in range(2):
            with Guest(zvm, sink) as g:
                for _ in range(run + 1):  # a second run follows the first's, replayed
                    m = g.expect(r"ZVMTEST DONE (\d+)/(\d+)\r", timeout=120)
                out = zvm.child.before
            assert not re.findall(r"ZVMTEST (\S+) FAIL (.*)", out), out
            assert m.group(1) == m.group(2) == "3", out
            if run == 0:  # the VM reset while frames keep coming into its inbox
                assert f"vm {sink} resetting" in zvm.run(f"zvm reset -n {sink}")
        assert "deleted" in zvm.run(f"zvm delete -n {sink}")
    sent = net_counters(zvm, flood)[0]
    time.sleep(0.5)
    assert net_counters(zvm, flood)[0] > sent
    assert re.search(rf"^{flood}\s+\S+\s+test-vnet-flood\s+1\s+64\s+running", zvm.run("zvm info"),
                     re.M)
    assert "deleted" in zvm.run(f"zvm delete -n {flood}")
    assert mem_used(zvm) == before


def test_ping_pong_round_trips(zvm):
    """The bench's pair (bench/vnet_bench.py): vnet_ping times 2000 round trips with
    vnet_pong, every answer the right one."""
    pong = create_vm(zvm, "-t test-vnet-pong -m 64 --dev virtio-net")
    ping = create_vm(zvm, "-t test-vnet-ping -m 64 --dev virtio-net")
    zvm.run(f"zvm run -n {pong}")
    zvm.run(f"zvm run -n {ping}")
    with Guest(zvm, ping) as g:
        m = g.expect(r"ZVMTEST DONE (\d+)/(\d+)\r", timeout=120)
        out = zvm.child.before
    assert re.search(r"# vnet ping: 2000 round trips in \d+ us", out), out
    assert m.group(1) == m.group(2) == "2", out
    for vm in (ping, pong):
        assert "deleted" in zvm.run(f"zvm delete -n {vm}")
