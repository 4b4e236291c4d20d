#!/usr/bin/env bash
# make test-dist: installs each artifact of `make dist` the way a user would, into a fresh
# temporary project that sees nothing of this repository but the artifact, and uses it:
# - npm: `npm install` the main package and its linux-x64-gnu platform package (napi-rs
#   layout), then smoke.js from CommonJS and ESM, and tsc --strict on consumer.ts;
# - WASM: `npm install` the certgate-wasm tarball, the same smoke.js and consumer.ts;
# - Python: `pip install` the wheel into a fresh venv, then smoke.py; and the sdist:
#   built into a wheel (the dev venv's maturin, no network), installed and smoked alike;
# - C: the tarball unpacked, the vector replay compiled through its certgate.pc
#   (pkg-config) and run against the unpacked libcertgate.so;
# - Rust: `cargo package` already built the packed crate (make dist-crate); here the
#   .crate must hold the sources and the licence files.
# A file missing from a package fails here, not in a user's project.
#
#   tests/dist/run.sh DIST_DIR
set -euo pipefail

dist=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cases=$root/tests/vectors/cases.json
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The one artifact matching a pattern, or a clear failure.
artifact() {
  local matches=("$dist"/$1)
  if [ ${#matches[@]} -ne 1 ] || [ ! -f "${matches[0]}" ]; then
    echo "test-dist: expected exactly one $1 in $dist, found: ${matches[*]}" >&2
    exit 1
  fi
  echo "${matches[0]}"
}

# A fresh npm project in $tmp/$1 with the given tarballs installed, offline: the packages
# have no dependencies of their own, so nothing may come from a registry.
npm_project() {
  local project=$tmp/$1
  shift
  mkdir -p "$project"
  echo "{\"name\": \"consumer-$(basename "$project")\", \"private\": true}" >"$project/package.json"
  (cd "$project" && npm install --offline --no-audit --no-fund --loglevel=error "$@" >&2)
  cp "$here/smoke.js" "$project/"
  echo "$project"
}

# tsc --strict on consumer.ts against the installed package's declarations.
typecheck() {
  local project=$1 module=$2
  sed "s/'MODULE'/'$module'/" "$here/consumer.ts" >"$project/consumer.ts"
  "$root/bindings-node/node_modules/.bin/tsc" --strict --noEmit \
    --module nodenext --moduleResolution nodenext --target es2022 --lib es2022,dom \
    --types node --typeRoots "$root/bindings-node/node_modules/@types" "$project/consumer.ts"
  echo "$module: consumer.ts compiles (tsc --strict) against the installed declarations"
}

echo "== npm: certgate (main package + linux-x64-gnu platform package)"
node_main=$(artifact 'certgate-[0-9]*.tgz')
node_platform=$(artifact 'certgate-linux-x64-gnu-*.tgz')
# Listings go through variables: `tar | grep -q` would fail on SIGPIPE under pipefail.
node_main_files=$(tar -tzf "$node_main")
if grep -q '\.node$' <<<"$node_main_files"; then
  echo "test-dist: the main npm package carries a .node file; it belongs in the platform package" >&2
  exit 1
fi
project=$(npm_project node "$node_main" "$node_platform")
[ -f "$project/node_modules/certgate-linux-x64-gnu/certgate.linux-x64-gnu.node" ] ||
  { echo "test-dist: npm did not install the platform package's addon" >&2; exit 1; }
(cd "$project" && node smoke.js certgate "$cases")
typecheck "$project" certgate

echo "== npm: certgate-wasm"
project=$(npm_project wasm "$(artifact 'certgate-wasm-*.tgz')")
(cd "$project" && node smoke.js certgate-wasm "$cases")
typecheck "$project" certgate-wasm

echo "== Python: the wheel, then the sdist, each into a fresh venv"
python_smoke() {
  local wheel=$1 venv=$tmp/venv-$2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-index "$wheel"
  (cd "$tmp" && "$venv/bin/python" "$here/smoke.py" "$cases")
}
python_smoke "$(artifact 'certgate-*.whl')" wheel
sdist=$(artifact 'certgate-[0-9]*.tar.gz')
# Built with the dev venv's maturin (no build isolation: no download); its own target dir
# keeps the dependencies' build cached between runs. maturin stamps every file of an sdist
# with one fixed date (2006), older than any cached build, so cargo would reuse the last
# run's certgate crates as if current: the unpacked sources get today's date.
mkdir "$tmp/sdist-src" && tar -xzf "$sdist" -C "$tmp/sdist-src"
find "$tmp/sdist-src" -type f -exec touch {} +
PATH="$root/target/python/venv/bin:$PATH" CARGO_TARGET_DIR="$root/target/sdist" \
  pip wheel --quiet --disable-pip-version-check --no-deps --no-build-isolation -w "$tmp/sdist-wheel" \
  "$(echo "$tmp"/sdist-src/certgate-*)"
python_smoke "$(ls "$tmp"/sdist-wheel/certgate-*.whl)" sdist

echo "== C: the tarball through pkg-config"
c_tarball=$(artifact 'certgate-c-*.tar.gz')
mkdir "$tmp/c" && tar -xzf "$c_tarball" -C "$tmp/c"
c_prefix=$(echo "$tmp"/c/certgate-c-*)
for file in lib/libcertgate.so lib/libcertgate.a lib/pkgconfig/certgate.pc include/certgate.h include/certgate_codes.h LICENSE-APACHE LICENSE-MIT; do
  [ -f "$c_prefix/$file" ] || { echo "test-dist: $(basename "$c_tarball") lacks $file" >&2; exit 1; }
done
export PKG_CONFIG_PATH=$c_prefix/lib/pkgconfig
# shellcheck disable=SC2046  # pkg-config prints a list of flags
cc -std=c99 -Wall -Wextra -Werror -pedantic "$root/bindings-c/tests/test_vectors.c" -o "$tmp/c/test_vectors" \
  $(pkg-config --cflags --libs certgate libcjson)
echo "certgate.pc: $(pkg-config --cflags --libs certgate)"
LD_LIBRARY_PATH=$(pkg-config --variable=libdir certgate) "$tmp/c/test_vectors" "$cases"

echo "== Rust: the packaged crate"
crate=$(artifact 'certgate-[0-9]*.crate')
crate_files=$(tar -tzf "$crate")
for file in Cargo.toml README.md LICENSE-APACHE LICENSE-MIT src/lib.rs; do
  grep -qx "certgate-[0-9.]*/$file" <<<"$crate_files" || { echo "test-dist: $(basename "$crate") lacks $file" >&2; exit 1; }
done
echo "$(basename "$crate"): $(wc -l <<<"$crate_files") files, verified by cargo package"

echo "test-dist: every artifact installs and works in a fresh project"
