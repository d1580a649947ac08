"""virtio-net between VMs (zvm/virtio/virtio_net.c, vswitch.c): Debian's own virtio_net
driver in two Linux VMs on the host's switch; they ping each other."""
import re

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
