#!/usr/bin/env bash
# Draws every catalogue function and its derivative from actfn itself, and tabulates their
# shape: builds examples/plots.cpp in build-plots/, runs it (it evaluates each function with
# actfn::forward / actfn::derivative and writes the data, a gnuplot script and the Markdown),
# runs gnuplot to write docs/activations-<family>.png, shrinks them with pngquant (lossless to
# the eye, about a third of the size; the result is the same bytes on every run), and splices
# the images and the table into README.md between the lines
#   <!-- plots:begin ... -->   and   <!-- plots:end -->
# (nothing else in README.md is touched).
#
# Usage: scripts/plots.sh        (from anywhere; re-runnable: a second run changes nothing)
#
# On Debian 12 it first installs whatever is missing of cmake, make, g++, libxsimd-dev,
# gnuplot-nox, fonts-dejavu-core and pngquant (apt-get; through sudo when not root).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$root/build-plots"
work="$build/plots-out"
docs="$root/docs"
readme="$root/README.md"

say() { printf 'plots.sh: %s\n' "$*" >&2; }

# --- Debian packages ------------------------------------------------------------------------
source "$root/scripts/debian.sh"
if ! command -v dpkg-query >/dev/null; then
  say "not a Debian system (no dpkg-query): assuming cmake, g++, xsimd, gnuplot and pngquant are installed"
fi
mapfile -t missing < <(debian_missing cmake make g++ libxsimd-dev gnuplot-nox fonts-dejavu-core pngquant)
if ((${#missing[@]})); then
  say "installing missing Debian packages: ${missing[*]}"
  debian_install "${missing[@]}"
fi

# --- build and run the program ----------------------------------------------------------------
# No -march: the default x86-64 build gives the same values on every machine.
say "building examples/plots.cpp in $build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
  -DACTFN_BUILD_EXAMPLES=ON -DACTFN_BUILD_TESTS=OFF -DACTFN_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build "$build" --target plots --parallel 2

rm -rf "$work"
mkdir -p "$docs"
"$build/examples/plots" "$work" "$docs" docs/ >&2

# --- images ------------------------------------------------------------------------------------
rm -f "$docs"/activations-*.png   # a family that is gone leaves no stale image behind
say "drawing with gnuplot"
gnuplot "$work/plots.gp"
for png in "$docs"/activations-*.png; do
  pngquant --speed 1 --strip --force --ext .png -- "$png"
done

# --- README.md -----------------------------------------------------------------------------------
begin='^<!-- plots:begin'
end='^<!-- plots:end -->$'
if [[ $(grep -c "$begin" "$readme") != 1 || $(grep -c "$end" "$readme") != 1 ]]; then
  say "README.md must hold exactly one '<!-- plots:begin ...' line and one '<!-- plots:end -->' line"
  exit 1
fi
awk -v begin="$begin" -v end="$end" -v block="$work/plots.md" '
  $0 ~ begin { print; print ""; while ((getline line < block) > 0) print line; print ""; skip = 1; next }
  $0 ~ end   { skip = 0 }
  !skip      { print }
' "$readme" >"$work/README.md"
cat "$work/README.md" >"$readme"   # keeps README.md's mode

say "wrote $(cd "$root" && ls docs/activations-*.png | tr '\n' ' ')and the table in README.md"
du -b "$docs"/activations-*.png | while read -r size file; do
  if ((size > 60000)); then say "warning: $(basename "$file") is $size bytes (aim: under 60 KB)"; fi
done
