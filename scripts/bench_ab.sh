#!/usr/bin/env bash
# A/B of two commits' benchmarks: builds bench/actfn_bench (Release, -O3, no peers) for each of
# two git revisions of this repository, runs the two binaries alternately pinned to one core,
# keeps each row's best time over the rounds, and prints per row before/after time (the
# after-commit's speedup) and their geometric mean. Alternating runs on one core keep the slow
# drift of a shared machine out of the comparison; a row the change cannot reach shows what
# noise is left, and what code placement does: relu forward at 4 Ki floats (AVX2 build) ran
# 0.79x, in repeated A/Bs, in a binary where its machine code was the same instructions
# 0x120 bytes further on (the change was elsewhere), so a control row that moves is worth a
# second look before the changed rows are believed.
#
# Usage: scripts/bench_ab.sh BEFORE AFTER [FILTER] [ROUNDS]
#   BEFORE, AFTER  git revisions (HEAD~1, a hash, a branch); WORKTREE for the uncommitted files
#   FILTER         --benchmark_filter regex (default '/f32/4096/actfn')
#   ROUNDS         alternations (default 3)
# Environment: ACTFN_BENCH_MARCH (default native), ACTFN_AB_CPU (the core; default 0).
# Example: scripts/bench_ab.sh HEAD~1 HEAD '^(celu|elu)/.*/f32/4096/actfn' 5
set -euo pipefail

if (($# < 2 || $# > 4)); then
  sed -n '2,17p' "$0" >&2
  exit 2
fi
before=$1 after=$2 filter=${3:-/f32/4096/actfn} rounds=${4:-3}
march=${ACTFN_BENCH_MARCH:-native} cpu=${ACTFN_AB_CPU:-0}
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "bench_ab.sh: ROUNDS must be a positive integer, not '$rounds'" >&2; exit 2; }
command -v python3 >/dev/null || { echo "bench_ab.sh: needs python3 (to read Google Benchmark's JSON)" >&2; exit 1; }
command -v taskset >/dev/null || { echo "bench_ab.sh: needs taskset (util-linux)" >&2; exit 1; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
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

python3 - "$work" "$rounds" "$before" "$after" <<'EOF'
import json, math, sys
work, rounds, before, after = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
best = {"before": {}, "after": {}}
for side in best:
    for r in range(1, rounds + 1):
        for b in json.load(open(f"{work}/{side}.{r}.json"))["benchmarks"]:
            if not b.get("error_occurred"):
                best[side][b["name"]] = min(best[side].get(b["name"], math.inf), b["real_time"])
rows = [n for n in best["before"] if n in best["after"]]
if not rows:
    sys.exit("bench_ab.sh: no benchmark matched the filter in both builds")
print(f"| benchmark | {before} / {after} time |")
print("| --- | ---: |")
logs = []
for n in rows:
    s = best["before"][n] / best["after"][n]
    logs.append(math.log(s))
    print(f"| {n} | {s:.3f} |")
print(f"\ngeometric mean over {len(rows)} rows: {math.exp(sum(logs) / len(logs)):.3f} "
      f"(above 1: {after} is faster; best of {rounds} alternating runs per row)")
EOF
