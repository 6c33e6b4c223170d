#!/bin/sh
# Installs what rdrop needs to build, test and run its experiments.
# Debian/Ubuntu: apt-get (through sudo when not root). Elsewhere: prints the list.
set -eu
PKGS="build-essential pkg-config python3 python3-numpy libopenblas-dev libcriterion-dev libstb-dev zlib1g-dev libinih-dev dataset-fashion-mnist"
# Optional extras: clang and its sanitizer/libFuzzer runtimes (fuzzing), valgrind
# (memcheck test), PyTorch (the checks against PyTorch: tests/cli/mc_parity.sh
# and the Python blocks of docs/interop.md). Installed when asked; CI asks.
[ "${1:-}" = "--with-tools" ] && PKGS="$PKGS clang libclang-rt-dev valgrind python3-torch"

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps: no apt-get here; install these (or your system's equivalents) by hand:" >&2
  echo "  OpenBLAS (cblas.h), Criterion, stb (stb_image, stb_image_write), zlib, inih, pkg-config, python3 with numpy" >&2
  echo "  Debian names: $PKGS" >&2
  exit 1
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
# Skip the index refresh when every package is already installed.
missing=""
for p in $PKGS; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "install-deps: installing$missing" >&2
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $missing
