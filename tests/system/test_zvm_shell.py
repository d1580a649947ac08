"""The `zvm` shell commands: listing, and clear one-line errors for bad input."""
import re

from qemu import create_vm, mem_used


def test_types_lists_the_board_guests(zvm):
    out = zvm.run("zvm types")
    for t in ["linux", "test-psci", "test-gic", "test-timer", "test-abort", "test-fp", "test-el0", "test-reset",
              "hello"]:
        assert re.search(rf"^{t}\s+\d+K", out, re.M), out
    assert re.search(r"^linux\s+\d+K\s+[1-9]\d*K\s+console=ttyAMA0", out, re.M)


def test_info_shows_id_name_type_vcpus_memory_state(zvm):
    vm = create_vm(zvm, "-t hello -c 2 -m 48 -n greeter")
    out = zvm.run("zvm info")
    assert re.search(r"^ID\s+NAME\s+TYPE\s+VCPUS\s+MEM\(MB\)\s+STATE", out, re.M)
    assert re.search(rf"^{vm}\s+greeter\s+hello\s+2\s+48\s+created$", out, re.M), out
    assert f"vm {vm} running" in zvm.run("zvm run -n greeter")
    assert re.search(rf"^{vm}\s+greeter\s.*running$", zvm.run("zvm info"), re.M)
    assert "error: a VM named 'greeter' exists already" in zvm.run("zvm new -t hello -n greeter")
    assert "deleted" in zvm.run(f"zvm delete -n {vm}")
    assert not re.search(rf"^{vm}\s+greeter", zvm.run("zvm info"), re.M)


def test_bad_arguments_get_one_line_errors(zvm):
    before = mem_used(zvm)
    cases = {
        "zvm new -t nosuch": "error: unknown guest type 'nosuch'",
        "zvm new -t hello -c 0": "error: bad vCPU count '0'",
        "zvm new -t hello -c 99": "error: a VM has 1 to 8 vCPUs",
        "zvm new -t hello -c two": "error: bad vCPU count 'two'",
        "zvm new -t hello -m 3": "error: guest memory must be a non-zero multiple of 2 MiB",
        "zvm new -t hello -m 99999": "error: bad memory size '99999' (MiB)",
        "zvm new -t hello -m 4096": "error: not enough free memory for 4096 MiB of guest RAM",
        "zvm new -t hello -p 9": "error: bad CPU list '9' (CPUs 0-3)",
        "zvm run -n 7": "error: no VM '7' (see 'zvm info')",
        "zvm look nosuchvm": "error: no VM 'nosuchvm' (see 'zvm info')",
        "zvm delete -n 5": "error: no VM '5' (see 'zvm info')",
        "zvm pause -n 6": "error: no VM '6' (see 'zvm info')",
    }
    for line, error in cases.items():
        out = zvm.run(line)
        assert error in out, (line, out)
    assert re.search(r"usage: zvm new -t TYPE", zvm.run("zvm new"))
    assert re.search(r"usage: zvm new -t TYPE", zvm.run("zvm new -x 3"))
    # None of the failed creations left a VM or memory behind.
    assert not re.search(r"^\d+\s", zvm.run("zvm info"), re.M)
    assert mem_used(zvm) == before


def test_pausing_a_created_vm_and_running_twice_are_refused(zvm):
    vm = create_vm(zvm, "-t hello -m 32")
    assert "cannot pause it now" in zvm.run(f"zvm pause -n {vm}")
    zvm.run(f"zvm run -n {vm}")
    assert f"vm {vm} is running already" in zvm.run(f"zvm run -n {vm}")
    zvm.run(f"zvm delete -n {vm}")
