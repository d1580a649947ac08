"""The host console under pressure (issue 8): input typed into a guest that does not read it,
a paste that arrives while a slow command runs, and more input than the console can hold."""
import re
import time

from qemu import clean, create_vm

VERSION_LINE = "version" + " " * 40  # 48 bytes with its Enter: 30 of them are 1440 bytes


def test_look_into_a_deaf_guest_never_blocks_and_ctrl_x_detaches_at_once(zvm):
    # test-spin never reads its UART: the FIFO and the input queue fill, then input is dropped
    # at once instead of waiting for the guest (the old console waited a second a byte).
    vm = create_vm(zvm, "-t test-spin -c 1 -m 64 -n deaf")
    zvm.run(f"zvm run -n {vm}")
    zvm.send(f"zvm look {vm}\r")
    zvm.expect(r"\[attached to vm \d+")
    zvm.send("x" * 200)
    zvm.send("y" * 5000)
    start = time.monotonic()
    zvm.send("\x18")
    zvm.expect(r"\[detached from vm \d+\]", timeout=20)
    m = zvm.expect(r"\[(\d+) typed bytes were dropped: vm \d+ did not read them\]", timeout=10)
    # 5200 typed, 32 in the FIFO and 4096 queued; bytes the host's own ring lost count as one.
    assert 1 <= int(m.group(1)) <= 5200 - 32 - 4096
    zvm.wait_prompt()
    assert time.monotonic() - start < 20
    assert "ZVM 0." in zvm.run("version")
    zvm.run(f"zvm delete -n {vm}")


def test_paste_while_a_slow_command_runs_is_all_run(zvm):
    # 1.5 KiB arrives while `selftest sleep` keeps the shell busy: the old 256-byte receive
    # ring lost most of it.
    zvm.send("selftest sleep 300\r" + (VERSION_LINE + "\r") * 30)
    out = ""
    deadline = time.monotonic() + 60
    while out.count("ZVM 0.") < 30 and time.monotonic() < deadline:
        out += clean(zvm.wait_prompt(timeout=30))
    assert out.count("ZVM 0.") == 30, out
    assert "input was lost" not in out


def test_a_line_that_lost_bytes_is_refused_not_run_cut(zvm):
    # 9 KiB in one go while the shell sleeps: more than the 4 KiB ring. Lines that lost bytes
    # are refused in words; none runs cut (a cut line would be an unknown command or a bad
    # argument), and what was kept still runs.
    zvm.send("selftest sleep 300\r" + (VERSION_LINE + "\r") * 192)
    time.sleep(2)
    zvm.send("\rversion --end\r")
    zvm.expect(r"usage: version", timeout=60)
    out = clean(zvm.child.before)
    zvm.wait_prompt()
    assert "error: input was lost" in out and "this line was not run" in out, out[-2000:]
    assert "unknown" not in out and "usage" not in out, out[-2000:]
    assert 30 <= out.count("ZVM 0.") < 192
