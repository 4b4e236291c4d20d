#!/usr/bin/env bash
# Tests the installed artifact: `make install PREFIX=<temp dir>`, then builds the vector
# replay against that copy only, through pkg-config (shared library), and once more
# statically from the installed libcertgate.a with the .pc file's Libs.private; both
# binaries must replay every vector.
#
#   install_test.sh REPO_ROOT
set -euo pipefail

root=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

make -C "$root" --no-print-directory install PREFIX="$prefix" >"$tmp/install.log" ||
  { cat "$tmp/install.log"; exit 1; }
for file in lib/libcertgate.so lib/libcertgate.a include/certgate.h lib/pkgconfig/certgate.pc; do
  [ -f "$prefix/$file" ] || { echo "make install did not install $file"; exit 1; }
done
cmp -s "$prefix/include/certgate.h" "$root/bindings-c/include/certgate.h" ||
  { echo "installed certgate.h differs from bindings-c/include/certgate.h"; exit 1; }

export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
pkg-config --exists --print-errors certgate
echo "pkg-config certgate $(pkg-config --modversion certgate): $(pkg-config --cflags --libs certgate)"

src=$root/bindings-c/tests/test_vectors.c
cflags=(-std=c99 -Wall -Wextra -Werror -pedantic)

# Shared: exactly what the pkg-config file says.
# shellcheck disable=SC2046  # pkg-config output is a list of words
cc "${cflags[@]}" "$src" -o "$tmp/vectors_shared" $(pkg-config --cflags --libs certgate libcjson)
loaded=$(LD_LIBRARY_PATH=$prefix/lib ldd "$tmp/vectors_shared")
grep -qF "$prefix/lib/libcertgate.so" <<<"$loaded" ||
  { echo "the shared test binary does not load the installed libcertgate.so"; exit 1; }
LD_LIBRARY_PATH=$prefix/lib "$tmp/vectors_shared" "$root/tests/vectors/cases.json"

# Static: the installed archive plus Libs.private, no libcertgate.so at run time.
private=()
for flag in $(pkg-config --static --libs-only-l certgate); do
  [ "$flag" = "-lcertgate" ] || private+=("$flag")
done
# shellcheck disable=SC2046
cc "${cflags[@]}" "$src" -o "$tmp/vectors_static" $(pkg-config --cflags certgate libcjson) \
  "$prefix/lib/libcertgate.a" $(pkg-config --libs libcjson) "${private[@]}"
loaded=$(ldd "$tmp/vectors_static")
if grep -q libcertgate <<<"$loaded"; then
  echo "the static test binary still needs libcertgate.so"
  exit 1
fi
"$tmp/vectors_static" "$root/tests/vectors/cases.json"
echo "install: shared and static builds against $prefix pass"
