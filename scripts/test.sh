#!/usr/bin/env bash
# Builds and runs every actfn test. Usage: scripts/test.sh   (from anywhere; re-runnable)
#
#   0. installs what is missing (Debian packages: cmake, g++, ninja, libxsimd-dev, catch2,
#      libbenchmark-dev) with apt-get, through sudo when not root;
#   1. build-test/: warnings as errors, tests for every instruction set (sse2, avx2, avx512:
#      those the CPU lacks are left out by CMake, loudly); examples and tools are built and
#      run by ctest too; not the benchmarks (scripts/bench.sh builds them), for CI's time;
#   2. build-asan/: AddressSanitizer + UndefinedBehaviorSanitizer, tests and examples for the
#      best instruction set the CPU has (but test_half's exhaustive sweeps, for CI's time);
#      benchmarks and tools off;
#   3. build-aarch64/: scripts/test_aarch64.sh, the tests (a reduced set, for time: below),
#      examples and sampled sweeps cross-compiled for AArch64 (NEON) and run under
#      qemu-aarch64 (it installs g++-aarch64-linux-gnu and qemu-user).
# The build directories sit at the top of the checkout and are reused: a second run only
# rebuilds what changed. Optimisation: -O2 for the tests (what users build with; -O3 costs half
# as much compile time again); -O0 -g1 under the sanitizers: with ASan + UBSan, GCC 12 takes
# 2x (-Og), 5x (-O1) or more the compile time of -O0 on the template-heavy tests, and the
# tests still run in seconds. Exits non-zero on any failure; the last line is ctest's summary.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jobs=$(nproc 2>/dev/null || echo 2)
start=$SECONDS

elapsed() { printf '%dm%02ds' $(((SECONDS - start) / 60)) $(((SECONDS - start) % 60)); }
say() { printf '==> [%s] %s\n' "$(elapsed)" "$*"; }

# --- 0. dependencies -----------------------------------------------------------------------
DEBIAN_QUIET=1 source "$root/scripts/debian.sh"
mapfile -t missing < <(debian_missing cmake g++ ninja-build libxsimd-dev catch2 libbenchmark-dev)
if ((${#missing[@]})); then
  say "installing missing packages: ${missing[*]}"
  debian_install "${missing[@]}"
fi

# The generator: Ninja when there is one; an existing build directory keeps the one it has.
generator_for() {
  if [[ -f $1/CMakeCache.txt ]]; then return; fi
  if command -v ninja >/dev/null; then echo -GNinja; else echo "-GUnix Makefiles"; fi
}

# The widest instruction set this CPU runs (for the sanitizer build).
best_isa() {
  local flags
  flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true)
  if [[ " $flags " == *" avx512bw "* ]]; then echo avx512
  elif [[ " $flags " == *" avx2 "* && " $flags " == *" fma "* ]]; then echo avx2
  else echo sse2
  fi
}

# build <dir> <cmake options...>: configure (incrementally) and build everything.
build() {
  local dir=$root/$1; shift
  local gen; gen=$(generator_for "$dir")
  cmake -S "$root" -B "$dir" ${gen:+"$gen"} "$@" >"$dir/configure.log" 2>&1 ||
    { cat "$dir/configure.log"; echo "error: configuring $dir failed" >&2; exit 1; }
  grep -E 'CMake Warning|actfn:' "$dir/configure.log" || true
  cmake --build "$dir" --parallel "$jobs"
}

# run_tests <dir> <summary file>: ctest with its full output, except that the summary line
# ("100% tests passed, 0 tests failed out of N") is held back in <summary file>.
run_tests() {
  local status=0
  ctest --test-dir "$root/$1" --output-on-failure --no-tests=error --parallel "$jobs" 2>&1 |
    awk -v out="$2" '/tests passed, [0-9]+ tests? failed out of/ { print > out; next }
                     { print; fflush() }' || status=$?
  return "$status"
}

summaries=$(mktemp -d)
trap 'rm -rf "$summaries"' EXIT
mkdir -p "$root/build-test" "$root/build-asan"

say "1/5 building build-test/ (warnings as errors, tests for sse2, avx2, avx512)"
build build-test -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
  -DACTFN_WERROR=ON -DACTFN_SANITIZE=OFF \
  -DACTFN_BUILD_TESTS=ON -DACTFN_BUILD_BENCHMARKS=OFF \
  -DACTFN_BUILD_EXAMPLES=ON -DACTFN_BUILD_TOOLS=ON
say "2/5 testing build-test/"
status_test=0
run_tests build-test "$summaries/test" || status_test=$?
say "build-test: $(cat "$summaries/test" 2>/dev/null || echo 'ctest gave no summary')"

isa=$(best_isa)
say "3/5 building build-asan/ (AddressSanitizer + UBSan, tests for $isa)"
build build-asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O0 -g1" \
  -DACTFN_WERROR=ON -DACTFN_SANITIZE=ON -DACTFN_TEST_ISAS="$isa" -DACTFN_TEST_SKIP=test_half \
  -DACTFN_BUILD_TESTS=ON -DACTFN_BUILD_BENCHMARKS=OFF -DACTFN_BUILD_EXAMPLES=ON \
  -DACTFN_BUILD_TOOLS=OFF
say "4/5 testing build-asan/"
status_asan=0
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
  run_tests build-asan "$summaries/asan" || status_asan=$?

# Under qemu, for the 30-minute CI budget on 2 cores, these are left out: test_properties (7
# translation units, about 4 minutes), test_half (its conversions are the integer code SSE2
# runs above) and test_stream (NEON's streaming stores are ordinary stores); the
# find_package consumer (a whole cross CMake project) and the fast sweeps in double (the fast
# tier is the precise kernel there, which the ulp_sampled_f64 sweeps measure). All run
# natively above, and on AArch64 with scripts/test_aarch64.sh alone (the whole suite).
say "5/5 building and testing build-aarch64/ (AArch64, NEON, under qemu-aarch64; reduced)"
status_arm=0
ACTFN_AARCH64_TEST_SKIP=${ACTFN_AARCH64_TEST_SKIP-test_properties;test_half;test_stream} \
ACTFN_AARCH64_CTEST_EXCLUDE=${ACTFN_AARCH64_CTEST_EXCLUDE-^example:find_package:|:ulp_fast_f64\$} \
  bash "$root/scripts/test_aarch64.sh" 2>&1 |
  awk -v out="$summaries/arm" '/tests passed, [0-9]+ tests? failed out of/ { print > out; next }
                               { print; fflush() }' || status_arm=$?

if ((status_test || status_asan || status_arm)); then
  say "FAILED (build-test: ctest exit $status_test, build-asan: ctest exit $status_asan," \
      "build-aarch64: exit $status_arm)"
else
  say "all tests passed in build-test/, build-asan/ and build-aarch64/"
fi
say "build-test: $(cat "$summaries/test" 2>/dev/null || echo 'ctest gave no summary')"
say "build-asan: $(cat "$summaries/asan" 2>/dev/null || echo 'ctest gave no summary')"
cat "$summaries/arm" 2>/dev/null || echo "build-aarch64: ctest gave no summary"
((status_test == 0 && status_asan == 0 && status_arm == 0))
