#!/usr/bin/env bash
# Builds actfn's benchmarks (Release, -O3 -march=native) in build-bench/ and runs them: every
# catalogue function, forward and backward, at 4 Ki, 256 Ki and 16 Mi elements, and softmax /
# log_softmax rows of 1000 and 4096 floats, single-threaded, side by side with a plain std::
# loop, memcpy and the peer libraries (Eigen 3.4, oneDNN 2.6, XNNPACK), then a summary
# (Markdown): per function, pass and size, actfn's throughput, every peer's, the best peer,
# actfn/best and actfn/memcpy; geometric means; the rows where actfn loses; the targets.
# Both accuracy tiers run: actfn (the plain functors) and actfn_fast (actfn::fast(f), float),
# and a fast-tier table gives per row precise, fast, the best peer, fast/best, fast/precise and
# the fast tier's fast/precise targets for the build's instruction set:
#   scripts/bench.sh --benchmark_filter='^(sigmoid|tanh|gelu|gelu_tanh|silu)/forward/f32/(4096|262144)/'
# Double precision is measured too, against the std:: loop only. The results' context (the
# JSON's "context", the console's header) records the CPU model, the build's -march and
# instruction set, the git commit and this command (see "context" below).
#
# Usage: scripts/bench.sh [Google Benchmark flags...]
#   scripts/bench.sh                                        everything (tens of minutes)
#   scripts/bench.sh --benchmark_filter='^(sigmoid|gelu)/'  some functions (add '|memcpy' to
#                                                           keep the memcpy column)
#   scripts/bench.sh --benchmark_filter='/f32/4096/'        one type and size, every function
#   scripts/bench.sh --benchmark_min_time=0.5               steadier numbers (default 0.05 s)
#   scripts/bench.sh --benchmark_repetitions=5              the summary uses the median
#   scripts/bench.sh --benchmark_out=bench.json             also write every result as JSON
#                                                           (scripts/bench_doc.sh puts it in
#                                                           docs/benchmarks.md and README.md)
# Benchmarks are named <function>/<pass>/<type>/<size>/<impl>, impl one of actfn, actfn_fast,
# std, eigen, onednn, xnnpack (memcpy: memcpy/<type>/<size>).
# Environment: ACTFN_BENCH_MARCH=x86-64-v3 (the -march to build for; default native),
#              BENCHMARK_MIN_TIME (the default for --benchmark_min_time),
#              ACTFN_BENCH_PEERS=OFF (no peer libraries: neither installed nor built).
#
# On Debian 12 it first installs whatever is missing of cmake, make, g++, libxsimd-dev and
# libbenchmark-dev, and (unless ACTFN_BENCH_PEERS=OFF) of the peers' libeigen3-dev,
# libdnnl-dev, libxnnpack-dev, libpthreadpool-dev and libtorch-dev (apt-get; through sudo when not root). A
# peer that cannot be installed or found is skipped with a message (see bench/CMakeLists.txt).
# Debian's libbenchmark prints "Library was built as DEBUG": that concerns the library's own
# bookkeeping around the timed loops, not the code being measured (built here with -O3).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$root/build-bench"
march=${ACTFN_BENCH_MARCH:-native}
peers=${ACTFN_BENCH_PEERS:-ON}
case $peers in
  ON | OFF) ;;
  *) printf 'bench.sh: ACTFN_BENCH_PEERS must be ON or OFF, not "%s"\n' "$peers" >&2; exit 1 ;;
esac

say() { printf 'bench.sh: %s\n' "$*" >&2; }

# --- Debian packages ------------------------------------------------------------------------
source "$root/scripts/debian.sh"
if ! command -v dpkg-query >/dev/null; then
  say "not a Debian system (no dpkg-query): assuming cmake, g++, xsimd and Google Benchmark are installed"
fi
mapfile -t missing < <(debian_missing cmake make g++ libxsimd-dev libbenchmark-dev)
if ((${#missing[@]})); then
  say "installing missing Debian packages: ${missing[*]}"
  debian_install "${missing[@]}"
fi
if [[ $peers == ON ]]; then
  mapfile -t missing < <(debian_missing libeigen3-dev libdnnl-dev libxnnpack-dev libpthreadpool-dev libtorch-dev)
  if ((${#missing[@]})); then
    say "installing missing Debian packages: ${missing[*]}"
    if ! debian_install "${missing[@]}"; then
      say "could not install the peer libraries (${missing[*]}); the benchmarks skip the missing ones"
    fi
  fi
fi

# --- build ------------------------------------------------------------------------------------
say "configuring a Release build in $build (-march=$march, peers $peers)"
if ! log=$(cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
  -DACTFN_BUILD_BENCHMARKS=ON -DACTFN_BUILD_TESTS=OFF -DACTFN_BUILD_EXAMPLES=OFF \
  -DACTFN_BUILD_TOOLS=OFF -DACTFN_BENCH_MARCH="$march" -DACTFN_BENCH_PEERS="$peers" 2>&1); then
  printf '%s\n' "$log" >&2
  exit 1
fi
grep 'actfn bench' <<<"$log" >&2 || true  # which peers were found
say "building actfn_bench"
cmake --build "$build" --target actfn_bench --parallel "$(nproc)"

# --- context ------------------------------------------------------------------------------------
# What the numbers were measured on, recorded in the results (the JSON's "context", the console's
# header) for scripts/bench_doc.sh: the CPU, the build's -march and instruction set, the git
# commit, the peers' Debian packages and the command. Google Benchmark's --benchmark_context
# splits its values at ',' and '=', so those become ';' and ':'; the command, which has '=' in
# it, goes to actfn_bench through ACTFN_BENCH_COMMAND instead.
context_value() { local v=${1//,/;}; printf '%s' "${v//=/:}"; }

# A shell word as typed: bare when it needs no quoting, else in single quotes.
quote() {
  local plain='^[A-Za-z0-9_./:=+@%^,-]+$' q="'" escaped="'\\''"
  if [[ $1 =~ $plain ]]; then
    printf '%s' "$1"
  else
    printf "'%s'" "${1//$q/$escaped}"
  fi
}

context=()
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1 || true)
[[ -n $cpu ]] && context+=("cpu_model=$cpu")

# -march as given and, for GCC, what "native" stands for; the widest vector extension it enables.
cxx=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt")
march_flag=()
[[ -n $march ]] && march_flag=("-march=$march")
resolved=$("$cxx" "${march_flag[@]}" -Q --help=target 2>/dev/null |
  awk '$1 == "-march=" { print $2; exit }' || true)
march_label=${march:-"the compiler's default"}
[[ -n $resolved && $resolved != "$march" ]] && march_label+=" ($resolved)"
context+=("march=$march_label")
macros=$("$cxx" "${march_flag[@]}" -dM -E -x c++ /dev/null 2>/dev/null || true)
isa=$(uname -m)
for m in __AVX512F__:AVX-512 __AVX2__:AVX2 __AVX__:AVX __SSE4_2__:SSE4.2 __SSE2__:SSE2 __ARM_NEON:NEON; do
  if grep -q "#define ${m%%:*} " <<<"$macros"; then
    isa=${m#*:}
    break
  fi
done
context+=("isa=$isa")

# The commit, "-dirty" when the work tree differs from it (--no-optional-locks: only read).
commit=unknown
if head=$(git -C "$root" rev-parse --short HEAD 2>/dev/null); then
  commit=$head
  [[ -n $(git -C "$root" --no-optional-locks status --porcelain 2>/dev/null) ]] && commit+="-dirty"
fi
context+=("commit=$commit")

if [[ $peers == ON ]] && command -v dpkg-query >/dev/null; then
  versions=$(dpkg-query -W -f='${Package} ${Version}\n' libeigen3-dev libdnnl-dev libxnnpack-dev 2>/dev/null |
    awk 'NF == 2 { printf "%s%s %s", sep, $1, $2; sep = "; " }' || true)
  [[ -n $versions ]] && context+=("peer_packages=$versions")
fi

# The command as it was typed, from the repository's root: the CPUs it was pinned to (taskset),
# the settings from the environment, this script and its arguments.
invocation=""
allowed=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status 2>/dev/null || true)
online=$(cat /sys/devices/system/cpu/online 2>/dev/null || true)
[[ -n $allowed && -n $online && $allowed != "$online" ]] && invocation+="taskset -c $allowed "
while IFS= read -r var; do
  invocation+="$var=$(quote "${!var}") "
done < <(compgen -e | grep -E '^(ACTFN_BENCH_|BENCHMARK_)' | grep -vx ACTFN_BENCH_COMMAND || true)
invocation+="scripts/bench.sh"
for arg in "$@"; do invocation+=" $(quote "$arg")"; done

context_flags=()
for kv in "${context[@]}"; do
  context_flags+=("--benchmark_context=${kv%%=*}=$(context_value "${kv#*=}")")
done

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
say "context: ${context[*]}"
ACTFN_BENCH_COMMAND=$invocation "$build/bench/actfn_bench" --benchmark_min_time="$default_min_time" \
  "${context_flags[@]}" "$@"
if [[ -n $out ]]; then
  say "results written to $(realpath -- "$out")"
fi
