#!/usr/bin/env bash
# Builds actfn's benchmarks (Release, -O3 -march=native) in build-bench/ and runs them: every
# catalogue function, forward and backward, float and double, at 4 Ki, 256 Ki and 16 Mi
# elements, next to a plain std:: loop and memcpy, then a summary table (Markdown).
#
# Usage: scripts/bench.sh [Google Benchmark flags...]
#   scripts/bench.sh                                        everything (a few minutes)
#   scripts/bench.sh --benchmark_filter='sigmoid|gelu'      some functions (add '|memcpy' to
#                                                           keep the memcpy column)
#   scripts/bench.sh --benchmark_min_time=0.5               steadier numbers (default 0.05 s)
#   scripts/bench.sh --benchmark_repetitions=5              the summary uses the median
#   scripts/bench.sh --benchmark_out=bench.json             also write every result as JSON
# Environment: ACTFN_BENCH_MARCH=x86-64-v3 (the -march to build for; default native),
#              BENCHMARK_MIN_TIME (the default for --benchmark_min_time).
#
# On Debian 12 it first installs whatever is missing of cmake, make, g++, libxsimd-dev and
# libbenchmark-dev (apt-get; through sudo when not root).
# Debian's libbenchmark prints "Library was built as DEBUG": that concerns the library's own
# bookkeeping around the timed loops, not the code being measured (built here with -O3).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$root/build-bench"
march=${ACTFN_BENCH_MARCH:-native}

say() { printf 'bench.sh: %s\n' "$*" >&2; }

# --- Debian packages ------------------------------------------------------------------------
missing=()
if command -v dpkg-query >/dev/null; then
  for pkg in cmake make g++ libxsimd-dev libbenchmark-dev; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done
else
  say "not a Debian system (no dpkg-query): assuming cmake, g++, xsimd and Google Benchmark are installed"
fi
if ((${#missing[@]})); then
  as_root=()
  if [[ $(id -u) -ne 0 ]]; then
    if ! command -v sudo >/dev/null; then
      say "missing Debian packages: ${missing[*]}; run as root or install sudo"
      exit 1
    fi
    as_root=(sudo)
  fi
  say "installing missing Debian packages: ${missing[*]}"
  "${as_root[@]}" apt-get update
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

# --- build ------------------------------------------------------------------------------------
say "configuring a Release build in $build (-march=$march)"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
  -DACTFN_BUILD_BENCHMARKS=ON -DACTFN_BUILD_TESTS=OFF -DACTFN_BUILD_EXAMPLES=OFF \
  -DACTFN_BENCH_MARCH="$march" >/dev/null
say "building actfn_bench"
cmake --build "$build" --target actfn_bench --parallel "$(nproc)"

# --- run ---------------------------------------------------------------------------------------
# The default minimum time comes first: a --benchmark_min_time among the arguments overrides it
# (Google Benchmark keeps the last value of a flag).
default_min_time=${BENCHMARK_MIN_TIME:-0.05}
min_time=$default_min_time
out=""
for arg in "$@"; do
  case $arg in
    --benchmark_min_time=*) min_time=${arg#--benchmark_min_time=} ;;
    --benchmark_out=*) out=${arg#--benchmark_out=} ;;
  esac
done
say "running the benchmarks (at least $min_time s each); the summary table comes last"
"$build/bench/actfn_bench" --benchmark_min_time="$default_min_time" "$@"
if [[ -n $out ]]; then
  say "results written to $(realpath -- "$out")"
fi
