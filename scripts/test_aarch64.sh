#!/usr/bin/env bash
# Builds actfn's tests for AArch64 (NEON) with a cross compiler and runs them under qemu.
# Usage: scripts/test_aarch64.sh   (from anywhere; re-runnable)
#
#   0. installs what is missing (Debian packages: cmake, ninja, libxsimd-dev, catch2,
#      g++-aarch64-linux-gnu, qemu-user) with apt-get, through sudo when not root;
#   1. build-aarch64/: cmake/aarch64-toolchain.cmake, warnings as errors, -O2, the tests for
#      neon64, the examples and the ULP sweep tool; no benchmarks (their timings would be
#      qemu's, and Debian's libbenchmark-dev is built for the host);
#   2. ctest through qemu-aarch64 (CMAKE_CROSSCOMPILING_EMULATOR): the unit tests, the
#      examples and the sampled ULP sweep of every function, float and double, at a coarser
#      stride than natively (below; ACTFN_AARCH64_ULP_STRIDE_F32 / _F64 in the environment
#      override it).
#
# Left out under emulation: the benchmarks, and three quarters of the sampled sweeps' inputs:
# their stride is 2^16 + 1 for float and 2^50 + 1 for double (2^16 and 2^14 samples over all
# bit patterns, as many again where the functions bend, and every edge input: a quarter of the
# native default, as under the sanitizers), since under qemu the whole sampled sweep takes
# minutes where it takes seconds natively, double's most (AArch64's long double, the
# references' type, is binary128, computed in software). The find_package consumer example
# is cross-built with the same toolchain file and run under qemu like the others.
# ACTFN_AARCH64_TEST_SKIP (test source stems, ;-separated) leaves test sources out, and
# ACTFN_AARCH64_CTEST_EXCLUDE (a ctest regex) tests: both empty by default (the whole suite);
# scripts/test.sh sets them for CI.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jobs=$(nproc 2>/dev/null || echo 2)
start=$SECONDS
# The sweeps' strides (see above); an empty value gives the tool's default.
stride_f32=${ACTFN_AARCH64_ULP_STRIDE_F32-65537}             # 2^16 + 1
stride_f64=${ACTFN_AARCH64_ULP_STRIDE_F64-1125899906842625}  # 2^50 + 1

elapsed() { printf '%dm%02ds' $(((SECONDS - start) / 60)) $(((SECONDS - start) % 60)); }
say() { printf '==> [%s] aarch64: %s\n' "$(elapsed)" "$*"; }

DEBIAN_QUIET=1 source "$root/scripts/debian.sh"
mapfile -t missing < <(debian_missing cmake ninja-build libxsimd-dev catch2 \
                                      g++-aarch64-linux-gnu qemu-user)
if ((${#missing[@]})); then
  say "installing missing packages: ${missing[*]}"
  debian_install "${missing[@]}"
fi

dir=$root/build-aarch64
mkdir -p "$dir"
gen=()
if [[ ! -f $dir/CMakeCache.txt ]]; then
  if command -v ninja >/dev/null; then gen=(-GNinja); else gen=("-GUnix Makefiles"); fi
fi

say "1/2 building build-aarch64/ (cross compiler, warnings as errors, tests for neon64)"
cmake -S "$root" -B "$dir" "${gen[@]}" --toolchain "$root/cmake/aarch64-toolchain.cmake" \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
  -DACTFN_WERROR=ON -DACTFN_SANITIZE=OFF -DACTFN_TEST_ISAS=neon64 \
  -DACTFN_BUILD_TESTS=ON -DACTFN_BUILD_BENCHMARKS=OFF -DACTFN_BUILD_EXAMPLES=ON \
  -DACTFN_BUILD_TOOLS=ON \
  -DACTFN_ULP_STRIDE_F32="$stride_f32" -DACTFN_ULP_STRIDE_F64="$stride_f64" \
  -DACTFN_TEST_SKIP="${ACTFN_AARCH64_TEST_SKIP-}" \
  >"$dir/configure.log" 2>&1 ||
  { cat "$dir/configure.log"; echo "error: configuring $dir failed" >&2; exit 1; }
grep -E 'CMake Warning|actfn:' "$dir/configure.log" || true
cmake --build "$dir" --parallel "$jobs"

say "2/2 testing build-aarch64/ under qemu-aarch64"
status=0
ctest --test-dir "$dir" --output-on-failure --no-tests=error --parallel "$jobs" \
  ${ACTFN_AARCH64_CTEST_EXCLUDE:+--exclude-regex "$ACTFN_AARCH64_CTEST_EXCLUDE"} || status=$?
if ((status)); then
  say "FAILED (ctest exit $status)"
else
  say "all tests passed in build-aarch64/"
fi
exit "$status"
