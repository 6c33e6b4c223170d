#!/bin/sh
# Puts the four MNIST files in DEST and checks each one's MD5.
#   sh data/fetch-mnist.sh data/mnist
# Verified files already there: nothing to do. MNIST_MIRROR_DIR set: copy from
# that directory. Otherwise download (curl or wget) from public mirrors.
# A file passes when its gzip MD5 matches, or its uncompressed MD5 does (a
# mirror may recompress). A file that fails is deleted.
set -eu
DEST=${1:?usage: fetch-mnist.sh DEST}
MIRRORS="https://ossci-datasets.s3.amazonaws.com/mnist/
https://storage.googleapis.com/cvdf-datasets/mnist/
http://yann.lecun.com/exdb/mnist/"

# name  gzip-md5  uncompressed-md5
FILES="train-images-idx3-ubyte f68b3c2dcbeaaa9fbdd348bbdeb94873 6bbc9ace898e44ae57da46a324031adb
train-labels-idx1-ubyte d53e105ee54ea40749a09fcbcd1e9432 a25bea736e30d166cdddb491f175f624
t10k-images-idx3-ubyte 9fb629c4189551a2d022fa330f9573f3 2646ac647ad5339dbf082846283269ea
t10k-labels-idx1-ubyte ec29112dd5afa0611ce80d1b7f02629c 27ae3e4e09519cfbb04c329615203637"

md5_of() { md5sum | cut -d' ' -f1; }

# verify FILE GZ_MD5 RAW_MD5: succeeds when either digest matches.
verify() {
  [ -f "$1" ] || return 1
  [ "$(md5_of < "$1")" = "$2" ] && return 0
  # gzip -t first: a pipe would hide gzip's complaints (e.g. trailing garbage).
  gzip -t < "$1" 2>/dev/null && [ "$(gzip -dc < "$1" | md5_of)" = "$3" ]
}

# download URL OUT: curl or wget, with retries.
download() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --retry 3 --retry-delay 2 --connect-timeout 20 -o "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then
    wget -q --tries=3 --timeout=20 -O "$2" "$1"
  else
    echo "fetch-mnist: neither curl nor wget is installed" >&2
    return 1
  fi
}

# fetch NAME GZ_MD5 RAW_MD5: gets a verified DEST/NAME.gz from the mirror
# directory or the web; an unverified copy is deleted, never left behind.
fetch() {
  out="$DEST/$1.gz"
  part="$out.part"
  if [ -n "${MNIST_MIRROR_DIR:-}" ]; then
    src="$MNIST_MIRROR_DIR/$1.gz"
    if [ -f "$src" ]; then
      cp "$src" "$part"
    elif [ -f "$MNIST_MIRROR_DIR/$1" ]; then
      src="$MNIST_MIRROR_DIR/$1"
      gzip -c < "$src" > "$part"
    else
      echo "fetch-mnist: $src: not found (MNIST_MIRROR_DIR=$MNIST_MIRROR_DIR)" >&2
      return 1
    fi
    checked "$part" "$out" "$src" "$2" "$3"
    return
  fi
  for m in $MIRRORS; do
    echo "fetch-mnist: downloading $m$1.gz"
    if download "$m$1.gz" "$part"; then
      checked "$part" "$out" "$m$1.gz" "$2" "$3" && return 0
    else
      rm -f "$part"
    fi
  done
  echo "fetch-mnist: $1.gz: no verified copy from any mirror" \
       "(offline? set MNIST_MIRROR_DIR to a directory holding the files)" >&2
  return 1
}

# checked PART OUT SOURCE GZ_MD5 RAW_MD5: keeps PART as OUT when it verifies.
checked() {
  if verify "$1" "$4" "$5"; then
    chmod 644 "$1"
    mv "$1" "$2"
    echo "fetch-mnist: $2: OK (MD5 verified)"
    return 0
  fi
  rm -f "$1"
  echo "fetch-mnist: $3: MD5 check failed (expected gzip $4 or uncompressed $5); deleted" >&2
  return 1
}

mkdir -p "$DEST"
# Keep what already verifies; delete what does not.
need=""
while read -r name gz raw; do
  f="$DEST/$name.gz"
  verify "$f" "$gz" "$raw" && continue
  if [ -e "$f" ]; then
    rm -f "$f"
    echo "fetch-mnist: $f: MD5 check failed (expected gzip $gz or uncompressed $raw); deleted" >&2
  fi
  need="$need $name"
done <<END
$FILES
END
if [ -z "$need" ]; then
  echo "fetch-mnist: $DEST: all four MNIST files present and verified; nothing to do"
  exit 0
fi

status=0
for name in $need; do
  # shellcheck disable=SC2046 # split the table line into name, gzip MD5, raw MD5
  set -- $(echo "$FILES" | grep "^$name ")
  fetch "$1" "$2" "$3" || status=1
done
[ "$status" -eq 0 ] && echo "fetch-mnist: $DEST: MNIST ready"
exit "$status"
