#!/usr/bin/env bash
# Draws actfn's benchmark results beside its peers': grouped bars of throughput (Gelem/s, log
# scale) per function, actfn next to each peer (std:: loop, Eigen, oneDNN, XNNPACK), forward
# above backward, one chart per size (float):
#   docs/bench-4Ki.png  docs/bench-256Ki.png  docs/bench-16Mi.png  docs/bench-softmax.png
# and prints the Markdown that shows them (also written to build-bench/bench-plots.md). The
# charts drawn are listed in build-bench/plots/charts.tsv, from which scripts/bench_doc.sh,
# which calls this script, links them in docs/benchmarks.md.
#
# Usage:
#   scripts/bench_plot.sh results.json          draw an existing run's JSON (the output of
#                                               scripts/bench.sh --benchmark_out=results.json)
#   scripts/bench_plot.sh                       run scripts/bench.sh first (the full comparison:
#                                               tens of minutes), keeping its JSON in
#                                               build-bench/bench.json, then draw it
#   scripts/bench_plot.sh -- FLAGS...           the same with Google Benchmark flags for the run,
#                                               e.g. -- --benchmark_min_time=0.2
# With --benchmark_repetitions the median of each benchmark is drawn; a failed benchmark, or a
# function a peer does not have, leaves a gap.
#
# On Debian 12 it first installs whatever is missing of gnuplot-nox, jq, fonts-dejavu-core and
# pngquant (apt-get; through sudo when not root). pngquant shrinks the PNGs to about a third.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
docs="$root/docs"
work="$root/build-bench/plots"

say() { printf 'bench_plot.sh: %s\n' "$*" >&2; }

# --- arguments ----------------------------------------------------------------------------------
json=""
run_flags=()
if [[ $# -gt 0 && $1 != -- ]]; then
  json=$1
  shift
  if [[ ! -r $json ]]; then
    say "cannot read $json"
    exit 1
  fi
  json=$(realpath -- "$json")
fi
if [[ $# -gt 0 ]]; then
  if [[ $1 != -- ]]; then
    say "usage: scripts/bench_plot.sh [results.json] | scripts/bench_plot.sh [-- benchmark flags...]"
    exit 1
  fi
  shift
  if [[ -n $json ]]; then
    say "benchmark flags make sense only without a JSON file (they are for a new run)"
    exit 1
  fi
  run_flags=("$@")
fi

# --- Debian packages ----------------------------------------------------------------------------
source "$root/scripts/debian.sh"
if ! command -v dpkg-query >/dev/null; then
  say "not a Debian system (no dpkg-query): assuming gnuplot, jq and pngquant are installed"
fi
mapfile -t missing < <(debian_missing gnuplot-nox jq fonts-dejavu-core pngquant)
if ((${#missing[@]})); then
  say "installing missing Debian packages: ${missing[*]}"
  debian_install "${missing[@]}"
fi

# --- the results ----------------------------------------------------------------------------------
if [[ -z $json ]]; then
  mkdir -p "$root/build-bench"
  json="$root/build-bench/bench.json"
  say "running scripts/bench.sh (its output and summary go to stderr); JSON in $json"
  "$root/scripts/bench.sh" "${run_flags[@]}" --benchmark_out="$json" --benchmark_out_format=json >&2
fi

rm -rf "$work"
mkdir -p "$work" "$docs"

# One line per result: <run name> TAB <Gelem/s>. The median aggregate when there is one, else
# the first repetition; failed runs are left out.
jq -r '.benchmarks[]
       | select((.error_occurred // false) | not)
       | select(.items_per_second != null)
       | select(.run_type == "iteration" or .aggregate_name == "median")
       | [.run_name, .run_type, (.items_per_second / 1e9)] | @tsv' "$json" |
  awk -F'\t' '$2 == "aggregate" { v[$1] = $3; median[$1] = 1; next }
              !($1 in v) { v[$1] = $3 }
              END { for (k in v) printf "%s\t%s\n", k, v[k] }' >"$work/results.tsv"
if [[ ! -s $work/results.tsv ]]; then
  say "no results in $json"
  exit 1
fi

# The functions in the order actfn's benchmarks ran (the catalogue's order), and the peers.
mapfile -t functions < <(jq -r '.benchmarks[].run_name | select(endswith("/actfn"))
                                | split("/") | .[0]' "$json" | awk '!seen[$0]++')
impls=(actfn std eigen onednn xnnpack)
label_of() {
  case $1 in
    std) printf 'std:: loop' ;;
    eigen) printf 'Eigen 3.4' ;;
    onednn) printf 'oneDNN 2.6' ;;
    xnnpack) printf 'XNNPACK' ;;
    *) printf '%s' "$1" ;;
  esac
}

# data_file PASS FILE SIZE...: one line per function and size that actfn ran: the function's
# name (with the size when there are several), then the Gelem/s of each impl ("-" if missing).
data_file() {
  local pass=$1 file=$2 fn impl line any size
  shift 2
  : >"$file"
  for size in "$@"; do
    for fn in "${functions[@]}"; do
      line=$fn
      (($# > 1)) && line+="/$size"
      any=no
      for impl in "${impls[@]}"; do
        v=$(awk -F'\t' -v k="$fn/$pass/f32/$size/$impl" '$1 == k { print $2; exit }' "$work/results.tsv")
        [[ -n $v && $impl == actfn ]] && any=yes
        line+=" ${v:--}"
      done
      [[ $any == yes ]] && printf '%s\n' "$line" >>"$file"
    done
  done
  return 0
}

# chart NAME TITLE SIZE...: docs/bench-NAME.png, forward above backward, the functions at each
# SIZE side by side.
charts=()
chart() {
  local name=$1 title=$2
  shift 2
  local panels=() pass f
  for pass in forward backward; do
    f="$work/$name-$pass.dat"
    data_file "$pass" "$f" "$@"
    [[ -s $f ]] && panels+=("$f|$pass")
  done
  if ((${#panels[@]} == 0)); then
    say "nothing at $* elements in the results: no docs/bench-$name.png"
    return 0
  fi
  local rows=0 n
  for p in "${panels[@]}"; do
    n=$(wc -l <"${p%%|*}")
    ((n > rows)) && rows=$n
  done
  local width=$((260 + 62 * rows)) height=$((370 * ${#panels[@]} + 50))
  ((width < 900)) && width=900
  {
    printf 'set terminal pngcairo noenhanced size %d,%d font "DejaVu Sans,11"\n' "$width" "$height"
    printf 'set output "%s"\n' "$docs/bench-$name.png"
    printf 'set datafile missing "-"\n'
    printf 'set style data histograms\nset style histogram clustered gap 1\n'
    printf 'set style fill solid 0.9 border -1\nset boxwidth 0.9\n'
    printf 'set logscale y\nset yrange [0.01:*]\nset ylabel "Gelem/s (log scale)"\n'
    printf 'set grid ytics mytics lc rgb "#dddddd"\nset xtics rotate by -35 left nomirror\n'
    printf 'set key outside right top vertical\nset tmargin 3\nset bmargin 7\n'
    printf 'set multiplot layout %d,1 title "%s" font ",14"\n' "${#panels[@]}" "$title"
    local colors=("#c0392b" "#7f8c8d" "#2980b9" "#27ae60" "#8e44ad") i
    for p in "${panels[@]}"; do
      IFS='|' read -r f pass <<<"$p"
      printf 'set title "%s"\n' "$pass"
      # One size: a dashed line at the throughput of a memcpy of the same bytes (a forward pass
      # moves 2 floats per element like memcpy, a backward pass 3).
      printf 'unset arrow\nunset label\n'
      if (($# == 1)); then
        m=$(awk -F'\t' -v k="memcpy/f32/$1" '$1 == k { print $2; exit }' "$work/results.tsv")
        if [[ -n $m ]]; then
          [[ $pass == backward ]] && m=$(awk -v m="$m" 'BEGIN { print m * 2 / 3 }')
          printf 'set arrow from graph 0, first %s to graph 1, first %s nohead dt 2 lw 1.5 lc rgb "black" front\n' "$m" "$m"
          printf 'set label "memcpy of the same bytes" at graph 0.005, first %s offset 0,0.7 front\n' "$m"
        fi
      fi
      # Only the columns with at least one number (XNNPACK has no backward pass).
      local sep='plot '
      for i in "${!impls[@]}"; do
        if awk -v c=$((i + 2)) '$c != "-" { found = 1 } END { exit !found }' "$f"; then
          printf '%s"%s" using %d:xtic(1) title "%s" lc rgb "%s"' "$sep" "$f" $((i + 2)) \
            "$(label_of "${impls[$i]}")" "${colors[$i]}"
          sep=', '
        fi
      done
      printf '\n'
    done
    printf 'unset multiplot\n'
  } >"$work/$name.gp"
  gnuplot "$work/$name.gp"
  charts+=("$name|$title")
}

say "drawing from $json"
rm -f "$docs"/bench-*.png
chart 4Ki "actfn and its peers at 4096 floats (L1/L2), single-threaded" 4096
chart 256Ki "actfn and its peers at 256 Ki floats (L2/L3), single-threaded" 262144
chart 16Mi "actfn and its peers at 16 Mi floats (DRAM), single-threaded" 16777216
mapfile -t shapes < <(jq -r '.benchmarks[].run_name | select(test("^(softmax|log_softmax)/"))
                             | split("/") | .[3]' "$json" | awk '!seen[$0]++')
if ((${#shapes[@]})); then
  chart softmax "softmax and log_softmax over rows (rows x floats: ${shapes[*]}), single-threaded" "${shapes[@]}"
fi

if command -v pngquant >/dev/null; then
  for c in "${charts[@]}"; do
    pngquant --force --skip-if-larger --output "$docs/bench-${c%%|*}.png" -- "$docs/bench-${c%%|*}.png" || true
  done
fi

# The charts drawn, one a line: <name> TAB <title> (scripts/bench_doc.sh links them).
for c in "${charts[@]}"; do printf '%s\t%s\n' "${c%%|*}" "${c#*|}"; done >"$work/charts.tsv"

# --- the Markdown -------------------------------------------------------------------------------
host=$(jq -r '.context | [(.cpu_model // empty), "\(.num_cpus) CPUs at \(.mhz_per_cpu) MHz",
                           ([.caches[]? | "L\(.level) \(.type) \(.size / 1024) KiB"] | unique | join(", "))]
                         | map(select(. != "")) | join(", ")' "$json")
date=$(jq -r '.context.date' "$json")
{
  printf '%s\n' "Throughput of every function, forward and backward, float, single-threaded: actfn beside"
  printf '%s\n' "each peer that has the function (higher is better; log scale). Measured $date on $host;"
  printf '%s\n\n' "drawn by \`scripts/bench_plot.sh\` from the JSON of \`scripts/bench.sh --benchmark_out=results.json\`."
  for c in "${charts[@]}"; do
    printf '![%s](docs/bench-%s.png)\n\n' "${c#*|}" "${c%%|*}"
  done
} >"$root/build-bench/bench-plots.md"
say "wrote $(for c in "${charts[@]}"; do printf 'docs/bench-%s.png ' "${c%%|*}"; done)"
say "Markdown that shows them (also in build-bench/bench-plots.md):"
cat "$root/build-bench/bench-plots.md"
