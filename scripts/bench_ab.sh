#!/usr/bin/env bash
# A/B of two commits' benchmarks: builds bench/actfn_bench (Release, -O3, no peers) for each of
# two git revisions of this repository, runs the two binaries alternately pinned to one core,
# keeps each row's best time over the rounds, and prints per row before/after time (the
# after-commit's speedup) and their geometric mean. Alternating runs on one core keep the slow
# drift of a shared machine out of the comparison. Include a row the change cannot reach (relu,
# say) as a control: it shows what noise is left, and what code placement alone does (a row
# whose machine code is unchanged but sits at another address can move by tens of percent), so
# a control row that moves is worth a second look before the changed rows are believed.
#
# Usage: scripts/bench_ab.sh BEFORE AFTER [FILTER] [ROUNDS]
#   BEFORE, AFTER  git revisions (HEAD~1, a hash, a branch); WORKTREE for the uncommitted files
#   FILTER         --benchmark_filter regex (default '/f32/4096/actfn')
#   ROUNDS         alternations (default 3)
# Environment: ACTFN_BENCH_MARCH (default native), ACTFN_AB_CPU (the core; default 0).
# Example: scripts/bench_ab.sh HEAD WORKTREE '^(celu|elu|relu)/.*/f32/4096/actfn' 5
# It reads git's objects only (git archive; the work tree through git ls-files) and builds in a
# temporary directory, removed at the end. On Debian 12 it installs jq when missing.
set -euo pipefail

if (($# < 2 || $# > 4)); then
  sed -n '2,18p' "$0" >&2
  exit 2
fi
before=$1 after=$2 filter=${3:-/f32/4096/actfn} rounds=${4:-3}
march=${ACTFN_BENCH_MARCH:-native} cpu=${ACTFN_AB_CPU:-0}
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "bench_ab.sh: ROUNDS must be a positive integer, not '$rounds'" >&2; exit 2; }
command -v taskset >/dev/null || { echo "bench_ab.sh: needs taskset (util-linux)" >&2; exit 1; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$root/scripts/debian.sh"
mapfile -t missing < <(debian_missing jq)
if ((${#missing[@]})); then
  echo "bench_ab.sh: installing missing Debian packages: ${missing[*]}" >&2
  debian_install "${missing[@]}" >&2
fi
command -v jq >/dev/null || { echo "bench_ab.sh: needs jq (to read Google Benchmark's JSON)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# build <revision> <name>: the revision's sources in $work/<name>, its actfn_bench built there.
build() {
  local src=$work/$2
  mkdir -p "$src"
  if [[ $1 == WORKTREE ]]; then
    (cd "$root" && git ls-files -z --cached --others --exclude-standard | tar -c --null -T - | tar -x -C "$src")
  else
    git -C "$root" rev-parse --verify --quiet "$1^{commit}" >/dev/null ||
      { echo "bench_ab.sh: '$1' is not a revision of $root" >&2; exit 2; }
    git -C "$root" archive "$1" | tar -x -C "$src"
  fi
  echo "bench_ab.sh: building $1 ($2)" >&2
  cmake -S "$src" -B "$src/build" -DCMAKE_BUILD_TYPE=Release -DACTFN_BUILD_BENCHMARKS=ON \
    -DACTFN_BUILD_TESTS=OFF -DACTFN_BUILD_EXAMPLES=OFF -DACTFN_BUILD_TOOLS=OFF \
    -DACTFN_BENCH_PEERS=OFF -DACTFN_BENCH_MARCH="$march" >"$src/configure.log" 2>&1 ||
    { cat "$src/configure.log" >&2; exit 1; }
  cmake --build "$src/build" --target actfn_bench --parallel "$(nproc)" >"$src/build.log" 2>&1 ||
    { tail -50 "$src/build.log" >&2; exit 1; }
}
build "$before" before
build "$after" after

for ((r = 1; r <= rounds; ++r)); do
  for side in before after; do
    echo "bench_ab.sh: round $r of $rounds, $side" >&2
    taskset -c "$cpu" "$work/$side/build/bench/actfn_bench" --benchmark_filter="$filter" \
      --benchmark_min_time=0.02 --benchmark_format=json >"$work/$side.$r.json" 2>/dev/null
  done
done

# Per row (in the order they ran): the best real time of each side over the rounds.
jq -rn '[inputs | (input_filename | test("/before[.][0-9]+[.]json$")) as $before
         | .benchmarks | to_entries[]
         | select((.value.error_occurred // false) | not)
         | {name: .value.name, time: .value.real_time, position: .key,
            side: (if $before then "before" else "after" end)}]
        | group_by(.name)
        | map({name: .[0].name, position: (map(.position) | min),
               before: (map(select(.side == "before") | .time) | min),
               after: (map(select(.side == "after") | .time) | min)})
        | map(select(.before != null and .after != null)) | sort_by(.position)[]
        | [.name, .before, .after] | @tsv' "$work"/before.*.json "$work"/after.*.json >"$work/rows.tsv"
if [[ ! -s $work/rows.tsv ]]; then
  echo "bench_ab.sh: no benchmark matched the filter in both builds" >&2
  exit 1
fi
awk -F'\t' -v before="$before" -v after="$after" -v rounds="$rounds" '
  BEGIN { printf "| benchmark | %s / %s time |\n| --- | ---: |\n", before, after }
  { s = $2 / $3; sum += log(s); n++; printf "| %s | %.3f |\n", $1, s }
  END {
    printf "\ngeometric mean over %d rows: %.3f (above 1: %s is faster; best of %d alternating runs per row)\n",
           n, exp(sum / n), after, rounds
  }' "$work/rows.tsv"
