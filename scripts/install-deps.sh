#!/bin/sh
# Installs what rdrop needs to build, test and run its experiments.
# Debian/Ubuntu: apt-get (through sudo when not root). Elsewhere: prints the list.
set -eu
PKGS="build-essential pkg-config python3 python3-numpy libopenblas-dev libcriterion-dev libstb-dev zlib1g-dev libinih-dev libmicrohttpd-dev dataset-fashion-mnist"
# rdrop serve's tests: curl (the API), chromium (the page, headless); Node.js
# and npm run the browser driver (tests/browser, installed below).
PKGS="$PKGS curl chromium"
command -v npm >/dev/null 2>&1 || PKGS="$PKGS nodejs npm"
# Optional extras: clang and its sanitizer/libFuzzer runtimes (fuzzing), valgrind
# (memcheck test), a SLURM the tests start as a single-node cluster
# (tests/cli/slurm.sh: slurmctld and slurmd from slurm-wlm, munged from
# munge) and PyTorch (the checks against PyTorch: tests/cli/mc_parity.sh and
# the Python blocks of docs/interop.md). Installed when asked; CI asks.
[ "${1:-}" = "--with-tools" ] && PKGS="$PKGS clang libclang-rt-dev valgrind slurm-wlm munge python3-torch"

cd "$(dirname "$0")/.."

# The browser test's driver: playwright-core from the npm registry, pinned by
# tests/browser/package-lock.json. It drives Debian's chromium and downloads
# no browser of its own. Installed again when the lockfile changed.
browser_driver() {
  lock=tests/browser/package-lock.json stamp=tests/browser/node_modules/.installed-lock
  [ -f "$stamp" ] && cmp -s "$lock" "$stamp" && return 0
  command -v npm >/dev/null 2>&1 || { echo "install-deps: npm not found (Node.js 20+ and npm)" >&2; return 1; }
  echo "install-deps: npm ci in tests/browser" >&2
  (cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error) &&
    cp "$lock" "$stamp"
}

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps: no apt-get here; install these (or your system's equivalents) by hand:" >&2
  echo "  OpenBLAS (cblas.h), Criterion, stb (stb_image, stb_image_write), zlib, inih, libmicrohttpd, pkg-config, python3 with numpy, curl, chromium, Node.js 20+ with npm" >&2
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
if [ -n "$missing" ]; then
  echo "install-deps: installing$missing" >&2
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends $missing
fi
browser_driver
