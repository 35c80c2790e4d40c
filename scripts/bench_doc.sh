#!/usr/bin/env bash
# Writes the benchmark results into the documentation, from the JSON of one benchmark run:
#   docs/benchmarks.md   between <!-- results:begin --> and <!-- results:end -->: a header (CPU,
#                        build, date, commit, the command that wrote the JSON), per size a table
#                        of every function and pass (actfn's Gelem/s, each peer's, the best
#                        peer, actfn/best, actfn/memcpy), the geometric means of actfn/best per
#                        size, how far each peer's results are from actfn's (ULPs), the charts
#   docs/bench-*.png     the charts, drawn by scripts/bench_plot.sh
#   README.md            between <!-- bench:begin --> and <!-- bench:end -->: one line of
#                        context and, per size, the geometric mean of actfn/best and the number
#                        of rows where actfn is slower, with a link to docs/benchmarks.md
# The text outside the markers is left as it is. The same JSON gives the same files: a second
# run changes nothing. This script is the one place that formats these tables; the summary
# that actfn_bench prints after a run (bench/summary.hpp) uses the same definitions.
#
# Usage: scripts/bench_doc.sh [results.json]     (default: build-bench/bench.json)
#   the JSON written by scripts/bench.sh --benchmark_out=results.json, e.g.
#   taskset -c 1 scripts/bench.sh --benchmark_filter='/f32/' --benchmark_out=build-bench/bench.json
#   scripts/bench_doc.sh build-bench/bench.json
# With --benchmark_repetitions each benchmark's median aggregate is used (without aggregates,
# the median of its repetitions). Only float (f32) results are shown.
#
# On Debian 12 it first installs jq when missing (apt-get; through sudo when not root);
# scripts/bench_plot.sh installs what it needs for the charts.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
doc="$root/docs/benchmarks.md"
readme="$root/README.md"

say() { printf 'bench_doc.sh: %s\n' "$*" >&2; }
die() {
  say "$*"
  exit 1
}

# --- arguments -------------------------------------------------------------------------------------
if (($# > 1)) || [[ ${1:-} == -h || ${1:-} == --help ]]; then
  sed -n '2,24p' "$0" >&2
  exit 2
fi
json=${1:-$root/build-bench/bench.json}
[[ -e $json ]] || die "no such file: $json (write one with scripts/bench.sh --benchmark_out=$json)"
[[ -f $json ]] || die "$json is not a file"
[[ -r $json ]] || die "cannot read $json (permission denied)"
[[ -s $json ]] || die "$json is empty"
json=$(realpath -- "$json")

source "$root/scripts/debian.sh"
mapfile -t missing < <(debian_missing jq)
if ((${#missing[@]})); then
  say "installing missing Debian packages: ${missing[*]}"
  debian_install "${missing[@]}"
fi
command -v jq >/dev/null || die "needs jq (Debian package jq)"

if ! error=$(jq empty "$json" 2>&1); then
  die "$json is not valid JSON (jq: ${error:-no details}; an interrupted run leaves its JSON unfinished)"
fi
jq -e -s 'length == 1 and (.[0] | type == "object" and (.context | type) == "object"
                            and (.benchmarks | type) == "array")' "$json" >/dev/null ||
  die "$json is not Google Benchmark's JSON output (one object with \"context\" and \"benchmarks\")"

# Each file must hold its two marker lines once, in order: nothing is written otherwise.
check_markers() {
  local file=$1 begin=$2 end=$3
  [[ -r $file ]] || die "cannot read $file"
  awk -v b="$begin" -v e="$end" '
    { sub(/[ \t\r]+$/, ""); sub(/^[ \t]+/, "") }
    $0 == b { nb++; if (!lb) lb = NR }
    $0 == e { ne++; if (!le) le = NR }
    END { exit !(nb == 1 && ne == 1 && lb < le) }' "$file" ||
    die "${file#"$root"/} needs the line $begin once, followed later by the line $end once" \
      "(the generated text goes between them); nothing was written"
}
check_markers "$doc" '<!-- results:begin -->' '<!-- results:end -->'
check_markers "$readme" '<!-- bench:begin -->' '<!-- bench:end -->'

work="$root/build-bench/doc"
rm -rf "$work"
mkdir -p "$work"

# --- the results, one line per benchmark -----------------------------------------------------------
# <run name> TAB <first position> TAB <items/s> TAB <bytes/s> TAB <ULPs from actfn> TAB <error>:
# the median aggregate when there is one, else the median of the repetitions (the element at
# count/2 of the sorted values, as bench/summary.hpp); the largest ulp_vs_actfn of the repetitions.
jq -r '
  [.benchmarks | to_entries[] | .value + {position: .key} | select(.run_name != null)]
  | group_by(.run_name)[]
  | (map(select(.error_occurred // false)) | first | .error_message // "") as $error
  | map(select((.error_occurred // false | not) and .items_per_second != null)) as $ok
  | ($ok | map(select(.run_type == "aggregate" and .aggregate_name == "median")) | first) as $median
  | ($ok | map(select(.run_type == "iteration")) | sort_by(.items_per_second)) as $runs
  | (if $median != null then $median
     elif ($runs | length) > 0 then $runs[($runs | length) / 2 | floor]
     else null end) as $v
  | [.[0].run_name, (map(.position) | min),
     ($v.items_per_second // ""), ($v.bytes_per_second // ""),
     ($runs | map(.ulp_vs_actfn // empty) | max // ""), $error]
  | @tsv' "$json" >"$work/results.tsv" || die "could not read the benchmarks of $json"

grep -q $'^[^/\t]*/[a-z]*/f32/[0-9x]*/actfn\t[0-9]*\t[0-9]' "$work/results.tsv" ||
  die "$json has no float results of actfn (run scripts/bench.sh with a filter that keeps '/f32/')"

# The context, one key a line: <key> TAB <value> (missing ones empty).
jq -r '.context as $c
  | (.benchmarks | map(.repetitions // 1) | max // 1) as $reps
  | ["cpu_model", "march", "isa", "simd", "commit", "command", "peer_packages", "date"]
  | map([., ($c[.] // "" | tostring)])
  + [["num_cpus", ($c.num_cpus // "" | tostring)], ["mhz", ($c.mhz_per_cpu // "" | tostring)],
     ["repetitions", ($reps | tostring)]]
  | .[] | @tsv' "$json" >"$work/context.tsv"

# --- the charts ------------------------------------------------------------------------------------
say "drawing the charts with scripts/bench_plot.sh"
"$root/scripts/bench_plot.sh" "$json" >/dev/null
[[ -r $root/build-bench/plots/charts.tsv ]] || die "scripts/bench_plot.sh listed no charts"
cp "$root/build-bench/plots/charts.tsv" "$work/charts.tsv"

# --- the tables ------------------------------------------------------------------------------------
awk -F'\t' -v out_doc="$work/doc.md" -v out_readme="$work/readme.md" '
function fmt(v) { return sprintf(v < 10 ? "%.3f" : v < 100 ? "%.2f" : "%.1f", v) }
function ulps(v) { return v < 1e6 ? sprintf("%.0f", v) : sprintf("%.1e", v) }
function label(impl) {
  return impl == "std" ? "std:: loop" : impl == "eigen" ? "Eigen" : impl == "onednn" ? "oneDNN" \
       : impl == "xnnpack" ? "XNNPACK" : impl == "torch" ? "PyTorch" : impl
}
function size_label(s,    p) {
  if (s ~ /x/) { split(s, p, "x"); return p[1] " rows of " p[2] }
  if (s % 1048576 == 0) return (s / 1048576) " Mi"
  if (s % 1024 == 0) return (s / 1024) " Ki"
  return s
}
function bytes_label(b) {
  return b % 1048576 == 0 ? (b / 1048576) " MiB" : b % 1024 == 0 ? (b / 1024) " KiB" : b " bytes"
}
function elements(s,    p) { if (s ~ /x/) { split(s, p, "x"); return p[1] * p[2] } return s + 0 }
# Sorts keys k[1..n] by rank[k[i]] (insertion sort: mawk has no asort).
function sort_by_rank(k, n, rank,    i, j, t) {
  for (i = 2; i <= n; i++) {
    t = k[i]
    for (j = i - 1; j >= 1 && rank[k[j]] > rank[t]; j--) k[j + 1] = k[j]
    k[j + 1] = t
  }
}
# A Markdown table from cells[1..rows, 1..cols] (row 1 the header), right[c] for numeric
# columns, padded so that it also reads as plain text.
function table(file, rows, cols,    r, c, w, line, pad) {
  for (c = 1; c <= cols; c++) {
    w[c] = 3
    for (r = 1; r <= rows; r++) if (length(cells[r, c]) > w[c]) w[c] = length(cells[r, c])
  }
  for (r = 1; r <= rows; r++) {
    line = "|"
    for (c = 1; c <= cols; c++) {
      pad = sprintf("%" (w[c] - length(cells[r, c])) "s", "")
      line = line " " (right[c] ? pad cells[r, c] : cells[r, c] pad) " |"
    }
    print line > file
    if (r == 1) {
      line = "|"
      for (c = 1; c <= cols; c++) {
        pad = sprintf("%" (w[c] - 1) "s", ""); gsub(/ /, "-", pad)
        line = line " " pad (right[c] ? ":" : "-") " |"
      }
      print line > file
    }
  }
  delete cells
  delete right
}

FILENAME ~ /context.tsv$/ { ctx[$1] = $2; next }
FILENAME ~ /charts.tsv$/ { ncharts++; chart_name[ncharts] = $1; chart_title[ncharts] = $2; next }
{
  n = split($1, p, "/")
  if (p[1] == "memcpy") {
    if (n == 3 && p[2] == "f32" && $4 != "") memcpy[p[3]] = $4
    next
  }
  if (n != 5 || p[3] != "f32") next
  fn = p[1]; pass = p[2]; size = p[4]; impl = p[5]
  if (!(fn in fn_rank) || $2 < fn_rank[fn]) fn_rank[fn] = $2
  if (!(size in size_seen)) { size_seen[size] = 1; sizes[++nsizes] = size; size_pos[size] = $2 }
  if (impl != "actfn" && !(impl in peer_seen)) { peer_seen[impl] = 1; peers[++npeers] = impl }
  key = fn SUBSEP pass SUBSEP size
  if (!(key in row_seen)) { row_seen[key] = 1 }
  has[size, impl] = 1
  if ($6 != "") { failed[key, impl] = 1; errors[++nerrors] = $1 ": " $6; next }
  if ($3 == "") next
  gelem[key, impl] = $3 / 1e9
  bps[key, impl] = $4
  if ($5 != "") {
    if (!((fn, pass, impl) in worst) || $5 > worst[fn, pass, impl]) worst[fn, pass, impl] = $5
    ulp_peer[impl] = 1
  }
}
END {
  # Sizes: the elementwise ones smallest first, then the row shapes as they ran.
  for (i = 1; i <= nsizes; i++) size_rank[sizes[i]] = sizes[i] ~ /x/ ? 1e12 + size_pos[sizes[i]] : sizes[i] + 0
  sort_by_rank(sizes, nsizes, size_rank)
  # Peers: the usual order, then any other by name.
  order["std"] = 1; order["eigen"] = 2; order["onednn"] = 3; order["xnnpack"] = 4
  for (i = 1; i <= npeers; i++) peer_rank[peers[i]] = (peers[i] in order) ? order[peers[i]] : 100
  sort_by_rank(peers, npeers, peer_rank)
  nfns = 0
  for (fn in fn_rank) fns[++nfns] = fn
  sort_by_rank(fns, nfns, fn_rank)
  passes[1] = "forward"; passes[2] = "backward"

  # --- header -------------------------------------------------------------------------------
  cpu = ctx["cpu_model"] != "" ? ctx["cpu_model"] : "unknown CPU"
  if (ctx["num_cpus"] != "") cpu = cpu ", " ctx["num_cpus"] " CPUs at " ctx["mhz"] " MHz"
  build = ctx["march"] != "" ? "-march=" ctx["march"] : "-march not recorded"
  if (ctx["isa"] != "") build = build ", " ctx["isa"]
  if (ctx["simd"] != "") build = build "; actfn on xsimd " ctx["simd"]
  date = ctx["date"] != "" ? substr(ctx["date"], 1, 10) : "unknown date"
  commit = ctx["commit"] != "" ? ctx["commit"] : "not recorded"
  reps = ctx["repetitions"] + 0
  print "<!-- Generated by scripts/bench_doc.sh from one run of scripts/bench.sh: edit the script, not this text. -->\n" > out_doc
  print "- CPU: " cpu > out_doc
  print "- build: " build > out_doc
  print "- date: " date > out_doc
  print "- commit: " commit > out_doc
  if (ctx["peer_packages"] != "") print "- peers (Debian packages): " ctx["peer_packages"] > out_doc
  print "- values: " (reps > 1 ? "the median of " reps " repetitions" : "one repetition") \
        " of each benchmark, single-threaded, from CPU time" > out_doc
  print "\nThe command that wrote the JSON (from the repository'"'"'s root):\n" > out_doc
  if (ctx["command"] != "") print "```sh\n" ctx["command"] "\n```" > out_doc
  else print "(not recorded: the JSON was not written by scripts/bench.sh)" > out_doc
  print "\nGelem/s: 10^9 elements per second, higher is better. best: the fastest peer.\n" \
        "actfn/best: above 1, actfn is faster than every peer (**bold**: slower).\n" \
        "actfn/memcpy: actfn'"'"'s bytes read and written per second over memcpy'"'"'s at the same\n" \
        "size. -: the peer does not have the function (or did not run); failed: its result\n" \
        "check failed." > out_doc

  # --- a table per size ------------------------------------------------------------------------
  for (si = 1; si <= nsizes; si++) {
    size = sizes[si]
    msize = elements(size) ""
    m = (msize in memcpy) ? memcpy[msize] : ""
    if (size ~ /x/) title = "softmax, log_softmax: " size_label(size) " floats"
    else title = size_label(size) " floats (" bytes_label(size * 4) " per array)"
    printf "\n### %s\n\n", title > out_doc
    nc = 0
    cells[1, ++nc] = "function"; cells[1, ++nc] = "pass"; cells[1, ++nc] = "actfn"; right[nc] = 1
    np = 0
    for (pi = 1; pi <= npeers; pi++)
      if ((size, peers[pi]) in has) { cols_peer[++np] = peers[pi]; cells[1, ++nc] = label(peers[pi]); right[nc] = 1 }
    cells[1, ++nc] = "best"
    cells[1, ++nc] = "actfn/best"; right[nc] = 1
    cells[1, ++nc] = "actfn/memcpy"; right[nc] = 1
    r = 1
    for (fi = 1; fi <= nfns; fi++) for (pa = 1; pa <= 2; pa++) {
      key = fns[fi] SUBSEP passes[pa] SUBSEP size
      if (!(key in row_seen) || !((key, "actfn") in gelem || (key, "actfn") in failed)) continue
      r++
      c = 0
      cells[r, ++c] = fns[fi]; cells[r, ++c] = passes[pa]
      a = ((key, "actfn") in gelem) ? gelem[key, "actfn"] : ""
      cells[r, ++c] = a != "" ? fmt(a) : "failed"
      best = ""; best_v = 0
      for (k = 1; k <= np; k++) {
        q = cols_peer[k]
        if ((key, q) in gelem) {
          cells[r, ++c] = fmt(gelem[key, q])
          if (best == "" || gelem[key, q] > best_v) { best = q; best_v = gelem[key, q] }
        } else cells[r, ++c] = ((key, q) in failed) ? "failed" : "-"
      }
      cells[r, ++c] = best != "" ? label(best) : "-"
      if (best != "" && a != "") {
        # Slower: below 1 as shown (to 3 digits), so that no "1.000" is counted as slower.
        ratio = a / best_v
        shown = fmt(ratio)
        cells[r, ++c] = shown + 0 < 1 ? "**" shown "**" : shown
        g = size SUBSEP passes[pa]
        sum[g] += log(ratio); cnt[g]++
        sum[size, "all"] += log(ratio); cnt[size, "all"]++
        if (shown + 0 < 1) slower[size]++
      } else cells[r, ++c] = "-"
      cells[r, ++c] = (m != "" && a != "") ? fmt(bps[key, "actfn"] / m) : "-"
    }
    table(out_doc, r, nc)
  }

  # --- geometric means ----------------------------------------------------------------------------
  print "\n### Geometric mean of actfn/best per size\n" > out_doc
  print "Over the rows that have a peer; slower: the rows where actfn/best, as shown above, is\n" \
        "below 1.\n" > out_doc
  split("size|forward|backward|all|rows|slower|memcpy GB/s", h, "|")
  for (c = 1; c <= 7; c++) { cells[1, c] = h[c]; right[c] = c > 1 }
  r = 1
  for (si = 1; si <= nsizes; si++) {
    size = sizes[si]
    if (!((size, "all") in cnt)) continue
    r++
    cells[r, 1] = size_label(size)
    for (pa = 1; pa <= 2; pa++) {
      g = size SUBSEP passes[pa]
      cells[r, pa + 1] = (g in cnt) ? fmt(exp(sum[g] / cnt[g])) : "-"
    }
    all = exp(sum[size, "all"] / cnt[size, "all"])
    cells[r, 4] = fmt(all); cells[r, 5] = cnt[size, "all"]; cells[r, 6] = slower[size] + 0
    msize = elements(size) ""
    cells[r, 7] = (msize in memcpy) ? fmt(memcpy[msize] / 1e9) : "-"
    # The README block: one row per size.
    readme_rows++
    readme_size[readme_rows] = size ~ /x/ ? "softmax, log_softmax: " size_label(size) : size_label(size) " floats"
    readme_mean[readme_rows] = fmt(all)
    readme_slower[readme_rows] = (slower[size] + 0) " of " cnt[size, "all"]
  }
  if (r > 1) table(out_doc, r, 7)
  else print "No row had both actfn and a peer." > out_doc

  # --- accuracy -------------------------------------------------------------------------------------
  nu = 0
  for (pi = 1; pi <= npeers; pi++) if (peers[pi] in ulp_peer) up[++nu] = peers[pi]
  if (nu > 0) {
    print "\n### How far each peer'"'"'s results are from actfn'"'"'s\n" > out_doc
    print "The largest distance over the sizes above, in ULPs of the result (actfn is within a\n" \
          "few ULPs of the exact result): the accuracy each peer'"'"'s speed comes with. -: the peer\n" \
          "does not have the function.\n" > out_doc
    cells[1, 1] = "function"; cells[1, 2] = "pass"
    for (k = 1; k <= nu; k++) { cells[1, k + 2] = label(up[k]); right[k + 2] = 1 }
    r = 1
    for (fi = 1; fi <= nfns; fi++) for (pa = 1; pa <= 2; pa++) {
      any = 0
      for (k = 1; k <= nu; k++) if ((fns[fi], passes[pa], up[k]) in worst) any = 1
      if (!any) continue
      r++
      cells[r, 1] = fns[fi]; cells[r, 2] = passes[pa]
      for (k = 1; k <= nu; k++)
        cells[r, k + 2] = ((fns[fi], passes[pa], up[k]) in worst) ? ulps(worst[fns[fi], passes[pa], up[k]]) : "-"
    }
    table(out_doc, r, nu + 2)
  }

  if (nerrors > 0) {
    print "\n### Benchmarks that failed\n" > out_doc
    for (i = 1; i <= nerrors; i++) print "- " errors[i] > out_doc
  }

  # --- charts ---------------------------------------------------------------------------------------
  if (ncharts > 0) {
    print "\n### Charts\n" > out_doc
    print "Throughput per function (log scale), actfn beside each peer, forward above backward;\n" \
          "the dashed line is memcpy of the same bytes.\n" > out_doc
    for (i = 1; i <= ncharts; i++) printf "![%s](bench-%s.png)\n\n", chart_title[i], chart_name[i] > out_doc
  }

  # --- README ---------------------------------------------------------------------------------------
  print "Measured on " (ctx["cpu_model"] != "" ? ctx["cpu_model"] : "an unrecorded CPU") \
        (ctx["isa"] != "" ? " (" ctx["isa"] ")" : "") ", " date ", single-threaded, float.\n" \
        "actfn/best: actfn'"'"'s throughput over the fastest peer'"'"'s (above 1: actfn is faster),\n" \
        "geometric mean over the functions and passes.\n" > out_readme
  cells[1, 1] = "size"; cells[1, 2] = "actfn/best"; cells[1, 3] = "rows where actfn is slower"
  right[2] = right[3] = 1
  for (i = 1; i <= readme_rows; i++) {
    cells[i + 1, 1] = readme_size[i]; cells[i + 1, 2] = readme_mean[i]; cells[i + 1, 3] = readme_slower[i]
  }
  table(out_readme, readme_rows + 1, 3)
  print "\nEvery function and peer, the method and the charts: [docs/benchmarks.md](docs/benchmarks.md)." > out_readme
}' "$work/context.tsv" "$work/charts.tsv" "$work/results.tsv"

# --- into the files --------------------------------------------------------------------------------
# splice FILE BEGIN END CONTENT: FILE with the lines between its marker lines replaced by CONTENT
# (the markers kept); FILE is rewritten only when that changes it.
splice() {
  local file=$1 begin=$2 end=$3 content=$4 new="$work/spliced"
  awk -v b="$begin" -v e="$end" -v content="$content" '
    { line = $0; sub(/[ \t\r]+$/, "", line); sub(/^[ \t]+/, "", line) }
    line == b { print; while ((getline l < content) > 0) print l; skip = 1; next }
    line == e { skip = 0 }
    !skip { print }' "$file" >"$new"
  if cmp -s "$new" "$file"; then
    say "${file#"$root"/}: unchanged"
  else
    cat "$new" >"$file"
    say "${file#"$root"/}: updated"
  fi
}
# A blank line on either side of the generated text, so that Markdown does not run it into the
# markers.
printf '\n%s\n\n' "$(cat "$work/doc.md")" >"$work/doc-block.md"
printf '\n%s\n\n' "$(cat "$work/readme.md")" >"$work/readme-block.md"
splice "$doc" '<!-- results:begin -->' '<!-- results:end -->' "$work/doc-block.md"
splice "$readme" '<!-- bench:begin -->' '<!-- bench:end -->' "$work/readme-block.md"
say "from $json"
