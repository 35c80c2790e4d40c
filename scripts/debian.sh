# Sourced, not run, by the scripts beside it: the Debian packages they need, installed when
# missing. Each caller says what it is doing in its own words (its own `say`).
#
#   debian_missing PKG...   prints, one a line, those of PKG... that are not installed; prints
#                           nothing where there is no dpkg-query (not a Debian system: the
#                           caller assumes the tools are there)
#   debian_install PKG...   apt-get install, without recommends and without questions, through
#                           sudo when not root; runs apt-get update first, once per script.
#                           Fails (non-zero) when it cannot install; its error says why.
#
# DEBIAN_QUIET=1 in the environment of `source` (DEBIAN_QUIET=1 source .../debian.sh): apt-get
# with -qq, and install's progress kept off standard output.
debian_quiet=${DEBIAN_QUIET:-0}

debian_missing() {
  command -v dpkg-query >/dev/null || return 0
  local pkg
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      printf '%s\n' "$pkg"
    fi
  done
}

debian_updated=no
debian_install() {
  local as_root=() quiet=()
  if [[ $(id -u) -ne 0 ]]; then
    if ! command -v sudo >/dev/null; then
      printf 'error: missing Debian packages: %s; run as root or install sudo\n' "$*" >&2
      return 1
    fi
    as_root=(sudo)
  fi
  [[ $debian_quiet == 1 ]] && quiet=(-qq)
  if [[ $debian_updated == no ]]; then
    "${as_root[@]}" apt-get update "${quiet[@]}" || return 1
    debian_updated=yes
  fi
  if ((${#quiet[@]})); then
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  else
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y --no-install-recommends "$@"
  fi
}
