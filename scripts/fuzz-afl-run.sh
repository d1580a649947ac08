#!/bin/sh
# Runs one AFL++ fuzz target for a set time and reports what it found, the way `make fuzz`
# does for libFuzzer: fuzz-afl-run.sh NAME BINARY CORPUS_DIR OUT_DIR SECONDS [LIBFUZZER_BINARY]
# Exit status 1 when AFL++ saved a crash or a hang (their inputs are listed), else 0. With a
# libFuzzer build of the same target, the inputs AFL++ found are merged into the corpus (only
# those that add coverage), so both engines feed one corpus.
set -eu

name=$1 bin=$2 corpus=$3 out=$4 secs=$5 merge_bin=${6:-}

rm -rf "$out"
mkdir -p "$out" "$corpus"
seeds=$corpus
if [ -z "$(ls -A "$corpus")" ]; then
	# afl-fuzz needs at least one seed; an empty corpus starts from one zero byte.
	seeds=$out/seed
	mkdir -p "$seeds"
	printf '\0' > "$seeds/zero"
fi

# AFL++ counts only signals as crashes: the sanitizers must abort, not exit, on a finding,
# whatever options the caller's environment already gives them.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}abort_on_error=1:symbolize=0"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:abort_on_error=1"

# No CPU-frequency or core-pattern checks: CI machines and containers cannot change either.
# -m none: ASan reserves terabytes of virtual memory. Inputs over 1 MB are skipped by AFL++.
# AFL_SKIP_CRASHES: a corpus input that crashes is skipped here; `make fuzz-replay` runs it.
AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_QUIET=1 \
	AFL_NO_AFFINITY=1 AFL_SKIP_CRASHES=1 \
	afl-fuzz -V "$secs" -m none -i "$seeds" -o "$out" -- "$bin" > "$out/log" 2>&1 || {
	tail -20 "$out/log"
	echo "fuzz-afl: $name: afl-fuzz failed, see $out/log"
	exit 1
}

stats=$out/default/fuzzer_stats
field() { sed -n "s/^$1 *: *//p" "$stats"; }
found=$(find "$out/default/crashes" "$out/default/hangs" -type f ! -name README.txt \
	2>/dev/null || true)
printf 'fuzz-afl: %-10s %s runs, %s edges, %s corpus entries, %s crashes, %s hangs\n' "$name" \
	"$(field execs_done)" "$(field edges_found)" "$(field corpus_count)" \
	"$(field saved_crashes)" "$(field saved_hangs)"
if [ -n "$found" ]; then
	echo "fuzz-afl: $name: inputs that crash or hang (once fixed, copy them to" \
		"tests/fuzz/regressions/$name/):"
	echo "$found"
	exit 1
fi
if [ -n "$merge_bin" ]; then
	"$merge_bin" -merge=1 "$corpus" "$out/default/queue" > "$out/merge.log" 2>&1 || {
		tail -20 "$out/merge.log"
		echo "fuzz-afl: $name: merging into $corpus failed, see $out/merge.log"
		exit 1
	}
fi
