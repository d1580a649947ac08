"""`make fuzz-afl`'s AFL++ path, short (the long run is `make fuzz-afl`, not part of make test):
a real target builds with afl-clang-fast and runs, and a planted heap overflow is found and
reported as a crash with its input, for ASan and for UBSan (so both sanitizers are really on,
and abort, in the AFL++ build)."""
import os
import shutil
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUN = os.path.join(ROOT, "scripts", "fuzz-afl-run.sh")
BUILD = os.path.join(ROOT, "build")


def run(args, **kw):
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, **kw)


@pytest.fixture(scope="module")
def fuzz_flags():
    out = run(["make", "-s", "--no-print-directory", "-f", "Makefile", "-f", "-",
               "print-fuzz-cflags"], input="print-fuzz-cflags:\n\t@echo $(FUZZ_CFLAGS)\n")
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


def test_a_target_runs_under_afl_and_feeds_its_corpus(tmp_path):
    built = run(["make", "build/afl/vswitch/fuzz", "build/fuzz/vswitch/fuzz"])
    assert built.returncode == 0, built.stdout + built.stderr
    corpus = tmp_path / "corpus"
    shutil.copytree(os.path.join(ROOT, "tests/fuzz/corpus/vswitch"), corpus)
    before = set(os.listdir(corpus))
    res = run([RUN, "vswitch", "build/afl/vswitch/fuzz", str(corpus), str(tmp_path / "out"),
               "4", "build/fuzz/vswitch/fuzz"])
    assert res.returncode == 0, res.stdout + res.stderr
    line = [l for l in res.stdout.splitlines() if l.startswith("fuzz-afl: vswitch")]
    assert line, res.stdout
    runs = int(line[0].split()[2])
    assert runs > 100, line[0]
    assert " 0 crashes, 0 hangs" in line[0]
    # AFL++'s queue went through libFuzzer's merge into the corpus, which it only adds to.
    with open(tmp_path / "out" / "merge.log") as f:
        assert "MERGE-OUTER:" in f.read()
    assert before <= set(os.listdir(corpus))


@pytest.mark.parametrize("plant", [[], ["-DPLANT_UBSAN"]], ids=["asan", "ubsan"])
def test_a_planted_overflow_is_found_and_its_input_kept(tmp_path, fuzz_flags, plant):
    binary = tmp_path / "planted"
    built = run(["afl-clang-fast", *fuzz_flags, *plant, "-fsanitize=fuzzer", "-o", str(binary),
                 "tests/fuzz/selfcheck/planted_bug.c"], env={**os.environ, "AFL_QUIET": "1"})
    assert built.returncode == 0, built.stdout + built.stderr
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "seed").write_bytes(b"AAAA")
    # AFL_BENCH_UNTIL_CRASH: stop at the first crash instead of running the whole minute.
    res = run([RUN, "planted", str(binary), str(corpus), str(tmp_path / "out"), "60"],
              env={**os.environ, "AFL_BENCH_UNTIL_CRASH": "1"}, timeout=180)
    assert res.returncode == 1, res.stdout + res.stderr
    assert "inputs that crash or hang" in res.stdout
    crashes = [l for l in res.stdout.splitlines() if "/crashes/" in l]
    assert crashes, res.stdout
    with open(crashes[0], "rb") as f:
        assert f.read().startswith(b"ZVM")
