"""The host shell: every command, line editing, completion, errors."""
import re
import time

from qemu import PROMPT


def test_help_lists_every_command(zvm):
    out = zvm.run("help")
    for cmd in ["help", "version", "kernel", "reboot", "poweroff"]:
        assert re.search(rf"^\s*{cmd}\b", out, re.M), cmd
    for sub in ["uptime", "cpus", "threads", "mem"]:
        assert re.search(rf"^\s+{sub}\b", out, re.M), sub


def test_version(zvm):
    assert re.search(r"^ZVM \d+\.\d+\.\d+", zvm.run("version"), re.M)


def test_uptime_advances(zvm):
    first = float(re.search(r"uptime (\d+\.\d+) s", zvm.run("kernel uptime")).group(1))
    time.sleep(1.2)
    second = float(re.search(r"uptime (\d+\.\d+) s", zvm.run("kernel uptime")).group(1))
    assert 0.8 < second - first < 10


def test_threads_lists_idle_per_cpu_and_shell(zvm):
    out = zvm.run("kernel threads")
    assert re.search(r"^NAME\s+PRIO\s+STATE\s+CPU", out, re.M)
    for cpu in range(4):
        assert re.search(rf"^idle/{cpu}\s+\d+\s+\S+\s+{cpu}\s", out, re.M), out
    assert re.search(r"^main\s+\d+\s+running\s+\d", out, re.M), out


def test_mem_reports_heap_and_pages(zvm):
    out = zvm.run("kernel mem")
    rows = {m.group(1): tuple(int(x) for x in m.groups()[1:])
            for m in re.finditer(r"^(heap|pages)\s+(\d+) KiB\s+(\d+) KiB\s+(\d+) KiB", out, re.M)}
    assert set(rows) == {"heap", "pages"}
    for total, used, free in rows.values():
        assert total == used + free and total > 0
    # 2 GiB of RAM, most of it free for guests; the heap is carved from the page allocator.
    assert rows["pages"][0] > 1900 * 1024
    assert rows["pages"][1] >= rows["heap"][0]


def test_unknown_command_and_bad_subcommand(zvm):
    assert "error: unknown command 'frobnicate'" in zvm.run("frobnicate")
    assert re.search(r"error: unknown subcommand 'kernel bogus'", zvm.run("kernel bogus"))
    assert "error:" in zvm.run("kernel")


def test_line_editing_and_history(zvm):
    # Type "versoin", fix it with left arrows and backspace, then recall it with up-arrow.
    zvm.send("versoin\x1b[D\x1b[D\x7f\x1b[Co\r")
    assert re.search(r"^ZVM ", zvm.wait_prompt(), re.M)
    zvm.send("\x1b[A\r")
    assert re.search(r"^ZVM ", zvm.wait_prompt(), re.M)


def test_tab_completion(zvm):
    zvm.send("vers\t\r")
    assert re.search(r"^ZVM ", zvm.wait_prompt(), re.M)
    zvm.send("kernel upt\t\r")
    assert re.search(r"uptime \d+\.\d+ s", zvm.wait_prompt())


def test_poweroff_exits_qemu_with_status_0(fresh_zvm):
    vm = fresh_zvm()
    vm.boot()
    vm.send("poweroff\r")
    assert vm.exit_status() == 0


def test_reboot_comes_back(fresh_zvm):
    vm = fresh_zvm()
    vm.boot()
    vm.send("reboot\r")
    vm.expect(r"ZVM \S+ starting")
    vm.wait_prompt()
    assert re.search(r"^ZVM ", vm.run("version"), re.M)


def test_console_survives_a_flood_of_input(zvm):
    """Input faster than the shell reads it must not wedge the UART's receive interrupt."""
    for _ in range(20):
        zvm.send("y" * 120 + "\x15")  # Ctrl-U drops the line again
    zvm.send("\r")
    zvm.wait_prompt()
    assert re.search(r"^ZVM ", zvm.run("version"), re.M)
